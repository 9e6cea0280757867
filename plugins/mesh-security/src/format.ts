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

/** Human names of the meshes. */
export const MESH_LABELS: Record<Mesh, string> = {
  'istio-sidecar': 'Istio (sidecar)',
  'istio-ambient': 'Istio (ambient)',
  linkerd: 'Linkerd',
  none: 'No mesh',
};
