import {
  ClusterStatus,
  Mesh,
  Peer,
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

/** Label of the access-graph node standing for any authenticated mesh identity. */
export const ANYONE_IN_THE_MESH = 'Anyone in the mesh';
/** Label of the access-graph node standing for plaintext clients outside the mesh. */
export const EXTERNAL_PLAINTEXT = 'External (plaintext)';

/** How a peer is named in the graph and tables: `namespace/name` for workloads. */
export function peerLabel(peer: Peer): string {
  if (peer.kind === 'any-meshed') return ANYONE_IN_THE_MESH;
  if (peer.kind === 'external-plaintext') return EXTERNAL_PLAINTEXT;
  const workload = peer as { namespace: string; name: string };
  return `${workload.namespace}/${workload.name}`;
}
