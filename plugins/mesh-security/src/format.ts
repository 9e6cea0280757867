import {
  ClusterStatus,
  Mesh,
} from '@mesh-security/plugin-mesh-security-common';

/** "42 s", "5 min", "3 h", "2 d": an age in seconds, short. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 120 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

/** The oldest snapshot age among the consulted clusters (null when none was read yet). */
export function oldestSnapshotAge(clusters: ClusterStatus[]): number | null {
  const ages = clusters
    .map(c => c.snapshotAgeSeconds)
    .filter((age): age is number => age !== null && age !== undefined);
  return ages.length ? Math.max(...ages) : null;
}

/**
 * How current an answer is, from its least current cluster (docs/backend.md "Watches"):
 * "live" when every cluster is watched and confirmed, "reconnecting" or "N s behind" when one
 * is not, "snapshot N old" for clusters read periodically, "no snapshot yet" before any read.
 */
export function describeFreshness(clusters: ClusterStatus[]): string {
  const reconnecting = clusters.filter(
    c => c.freshness?.state === 'reconnecting',
  );
  if (reconnecting.length > 0)
    return `reconnecting to ${reconnecting.map(c => c.name).join(', ')}`;
  const behind = clusters
    .filter(c => c.freshness?.state === 'behind')
    .map(c => c.freshness?.lagSeconds ?? 0);
  if (behind.length > 0) return `${formatAge(Math.max(...behind))} behind`;
  const polled = clusters.filter(c => c.freshness?.mode !== 'watch');
  const age = oldestSnapshotAge(polled);
  if (age !== null) return `snapshot ${formatAge(age)} old`;
  if (clusters.some(c => c.freshness?.state === 'live')) return 'live';
  return 'no snapshot yet';
}

/** Human names of the meshes. */
export const MESH_LABELS: Record<Mesh, string> = {
  'istio-sidecar': 'Istio (sidecar)',
  'istio-ambient': 'Istio (ambient)',
  linkerd: 'Linkerd',
  none: 'No mesh',
};
