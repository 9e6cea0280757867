import {
  AccessEdge,
  EdgeTrafficStatus,
  EntityWorkload,
  MtlsMode,
  ObservedAccessEdge,
  Peer,
  isWorkloadPeer,
  observedSourceLabel,
  peerLabel,
} from '@mesh-security/plugin-mesh-security-common';
import { combineTrafficStatuses } from '../ObservedTraffic';

/**
 * A node of the access graph: the workload itself, a peer workload, many workloads at once (a
 * summary peer), or plaintext clients outside the cluster.
 */
export interface AccessNodeData {
  label: string;
  role: 'self' | 'workload' | 'summary' | 'external-plaintext' | 'observed';
}

/** An edge of the access graph, one per (peer, direction), listing every allowed port. */
export interface AccessEdgeData {
  label: string;
  /** The mTLS mode of the receiving port(s), as reported by the backend (UNKNOWN when not known). */
  mtls: MtlsMode;
  /**
   * What the metrics observed along it (the most telling status of its ports); absent when the
   * observations are not usable.
   */
  traffic?: EdgeTrafficStatus;
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
    {
      from: string;
      to: string;
      labels: string[];
      modes: MtlsMode[];
      traffic: EdgeTrafficStatus[];
    }
  >();
  const group = (from: string, to: string) => {
    const key = `${from}->${to}`;
    const g = grouped.get(key) ?? {
      from,
      to,
      labels: [],
      modes: [],
      traffic: [],
    };
    grouped.set(key, g);
    return g;
  };

  const add = (edge: ObservedAccessEdge, direction: 'caller' | 'callee') => {
    const id = peerId(edge.peer);
    if (!nodes.has(id))
      nodes.set(id, {
        id,
        label: peerLabel(edge.peer),
        role: roleOf(edge.peer),
      });
    const [from, to] =
      direction === 'caller' ? [id, SELF_NODE_ID] : [SELF_NODE_ID, id];
    const g = group(from, to);
    const label = edgePortLabel(edge);
    if (!g.labels.includes(label)) g.labels.push(label);
    if (edge.traffic) g.traffic.push(edge.traffic.status);
    g.modes.push(edge.portMtls);
  };
  workload.callers.forEach(edge => add(edge, 'caller'));
  workload.callees.forEach(edge => add(edge, 'callee'));
  // Traffic no edge allows: its sources as one node per group (callers), or the callee.
  workload.observed.unmatchedCallers.forEach((u, i) => {
    const id = `observed:${i}`;
    const labels = u.sources.map(observedSourceLabel);
    nodes.set(id, {
      id,
      label: `${labels.join(', ')}${
        u.sourceCount > labels.length
          ? `, +${u.sourceCount - labels.length} more`
          : ''
      }`,
      role: 'observed',
    });
    const g = group(id, SELF_NODE_ID);
    g.labels.push(u.port === undefined ? 'all ports' : String(u.port));
    g.traffic.push(u.status);
    g.modes.push('UNKNOWN');
  });
  workload.observed.unmatchedCallees.forEach(u => {
    if (!u.peer) return;
    const id = peerId(u.peer);
    if (!nodes.has(id))
      nodes.set(id, { id, label: peerLabel(u.peer), role: 'observed' });
    const g = group(SELF_NODE_ID, id);
    const label = u.port === undefined ? 'all ports' : String(u.port);
    if (!g.labels.includes(label)) g.labels.push(label);
    g.traffic.push(u.status);
    g.modes.push('UNKNOWN');
  });

  const edges = Array.from(grouped.values()).map(g => {
    const traffic = combineTrafficStatuses(g.traffic);
    return {
      from: g.from,
      to: g.to,
      label: g.labels.join(', '),
      mtls: combineModes(g.modes),
      ...(traffic ? { traffic } : {}),
    };
  });
  return { nodes: Array.from(nodes.values()), edges };
}
