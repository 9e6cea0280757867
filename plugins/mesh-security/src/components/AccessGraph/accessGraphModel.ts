import {
  AccessEdge,
  EntityWorkload,
  MtlsMode,
  Peer,
  isWorkloadPeer,
  peerLabel,
} from '@mesh-security/plugin-mesh-security-common';

/**
 * A node of the access graph: the workload itself, a peer workload, many workloads at once (a
 * summary peer), or plaintext clients outside the cluster.
 */
export interface AccessNodeData {
  label: string;
  role: 'self' | 'workload' | 'summary' | 'external-plaintext';
}

/** An edge of the access graph, one per (peer, direction), listing every allowed port. */
export interface AccessEdgeData {
  label: string;
  /** The mTLS mode of the receiving port(s), as reported by the backend (UNKNOWN when not known). */
  mtls: MtlsMode;
}

/** Node id of the workload the graph is about. */
export const SELF_NODE_ID = 'self';

/** A stable node id for a peer. */
export function peerId(peer: Peer): string {
  if (isWorkloadPeer(peer))
    return `workload:${peer.cluster ?? ''}/${peer.namespace}/${peer.name}`;
  if (peer.kind === 'namespace') return `namespace:${peer.namespace}`;
  return peer.kind;
}

const roleOf = (peer: Peer): AccessNodeData['role'] => {
  if (peer.kind === 'external-plaintext') return peer.kind;
  return isWorkloadPeer(peer) ? 'workload' : 'summary';
};

/**
 * "8080 POST /charge": the port and, when the rules restrict them, methods and paths — each
 * allowed combination when several rules allow different ones ("8080 POST /charge; GET /status").
 */
export function edgePortLabel(edge: AccessEdge): string {
  const restriction = (o: { methods?: string[]; paths?: string[] }) =>
    [o.methods?.join('|'), o.paths?.join(' ')].filter(Boolean).join(' ');
  const http = edge.operations
    ? edge.operations.map(restriction).join('; ')
    : restriction(edge);
  return [String(edge.port), http].filter(Boolean).join(' ');
}

function combineModes(modes: MtlsMode[]): MtlsMode {
  const unique = Array.from(new Set(modes));
  if (unique.length === 0) return 'UNKNOWN';
  return unique.length === 1 ? unique[0] : 'PARTIAL';
}

/**
 * The who-can-call-me / whom-can-I-call graph of one workload: callers → workload → callees.
 * Edges between the same two nodes are merged (the graph draws one line per pair) and list
 * every port. Edge styles use only modes the backend reported; no semantics are recomputed.
 */
export function buildAccessGraph(workload: EntityWorkload) {
  const nodes = new Map<string, AccessNodeData & { id: string }>();
  nodes.set(SELF_NODE_ID, {
    id: SELF_NODE_ID,
    label: `${workload.namespace}/${workload.name}`,
    role: 'self',
  });
  const grouped = new Map<
    string,
    { from: string; to: string; labels: string[]; modes: MtlsMode[] }
  >();

  const add = (edge: AccessEdge, direction: 'caller' | 'callee') => {
    const id = peerId(edge.peer);
    if (!nodes.has(id))
      nodes.set(id, {
        id,
        label: peerLabel(edge.peer),
        role: roleOf(edge.peer),
      });
    const [from, to] =
      direction === 'caller' ? [id, SELF_NODE_ID] : [SELF_NODE_ID, id];
    const key = `${from}->${to}`;
    const group = grouped.get(key) ?? { from, to, labels: [], modes: [] };
    const label = edgePortLabel(edge);
    if (!group.labels.includes(label)) group.labels.push(label);
    group.modes.push(edge.portMtls);
    grouped.set(key, group);
  };
  workload.callers.forEach(edge => add(edge, 'caller'));
  workload.callees.forEach(edge => add(edge, 'callee'));

  const edges = Array.from(grouped.values()).map(group => ({
    from: group.from,
    to: group.to,
    label: group.labels.join(', '),
    mtls: combineModes(group.modes),
  }));
  return { nodes: Array.from(nodes.values()), edges };
}
