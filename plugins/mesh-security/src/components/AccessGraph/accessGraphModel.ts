import {
  AccessEdge,
  EDGE_PROTECTIONS,
  EdgeProtection,
  EdgeTrafficStatus,
  EntityWorkload,
  MtlsMode,
  NetworkPeer,
  Peer,
  edgeProtection,
  isWorkloadPeer,
  observedSourceLabel,
  peerLabel,
} from '@mesh-security/plugin-mesh-security-common';
import { combineTrafficStatuses } from '../ObservedTraffic';

/**
 * A peer of the access graph: a workload, many workloads at once (a summary peer), clients
 * admitted by their network address (a network peer), plaintext clients outside the cluster, or
 * the sources of traffic no edge allows.
 */
export interface AccessPeerData {
  /** Stable id, unique per side. */
  id: string;
  label: string;
  role:
    | 'workload'
    | 'summary'
    | 'network'
    | 'external-workload'
    | 'external-plaintext'
    | 'observed';
  /** `caller` peers are drawn left of the workload, `callee` peers right of it. */
  side: 'caller' | 'callee';
  /** The peer is on both sides (it calls the workload and is called by it). */
  bidirectional: boolean;
  /** One line per effective protection, in {@link EDGE_PROTECTIONS} order. */
  lines: AccessLineData[];
  /** The namespace of a workload peer (platform peers are told by it). */
  namespace?: string;
  /**
   * Every connection with the peer is allowed only because no policy applies to it (the
   * edges' `decidedBy.layer` is `default`), none blocked: a default-allow peer, not a grant.
   */
  noPolicy?: boolean;
  /** A workload of a platform namespace (set by the view, see accessGraphSummary.ts). */
  platform?: boolean;
  /** The peers a grouped node stands for (labels), e.g. those no policy applies to. */
  members?: string[];
}

/** The connections to or from one peer that have the same effective protection. */
export interface AccessLineData {
  protection: EdgeProtection;
  /** The ports (with their HTTP restrictions), e.g. "8080 POST /charge, 9090". */
  label: string;
  /** The receiving ports' mTLS modes, each once. */
  portModes: MtlsMode[];
  /** Why the connection is rejected, for blocked lines (with the finding's code). */
  reason?: string;
  /** What the metrics observed along it (the most telling status); absent when unusable. */
  traffic?: EdgeTrafficStatus;
}

/** The access graph of one workload: callers → workload → callees. */
export interface AccessGraphData {
  self: { label: string };
  callers: AccessPeerData[];
  callees: AccessPeerData[];
}

/** A stable node id for a peer. */
export function peerId(peer: Peer): string {
  if (isWorkloadPeer(peer))
    return `workload:${peer.cluster ?? ''}/${peer.namespace}/${peer.name}`;
  if (peer.kind === 'namespace') return `namespace:${peer.namespace}`;
  if (peer.kind === 'external-workload')
    return `external-workload:${peer.namespace}/${peer.name}`;
  if (peer.kind === 'network') {
    const { cidrs, except, address } = peer as NetworkPeer;
    return `network:${address ?? 'source'}:${cidrs.join(',')}!${(
      except ?? []
    ).join(',')}`;
  }
  return peer.kind;
}

const roleOf = (peer: Peer): AccessPeerData['role'] => {
  if (peer.kind === 'external-plaintext') return peer.kind;
  if (peer.kind === 'network') return 'network';
  if (peer.kind === 'external-workload') return 'external-workload';
  return isWorkloadPeer(peer) ? 'workload' : 'summary';
};

/**
 * "8080/http POST /charge": the port (with its protocol when the edge gives it) and, when the
 * rules restrict them, methods and paths — each allowed combination when several rules allow
 * different ones ("8080/http POST /charge; GET /status").
 */
export function edgePortLabel(edge: AccessEdge): string {
  const restriction = (o: { methods?: string[]; paths?: string[] }) =>
    [o.methods?.join('|'), o.paths?.join(' ')].filter(Boolean).join(' ');
  const http = edge.operations
    ? edge.operations.map(restriction).join('; ')
    : restriction(edge);
  const port = edge.protocol
    ? `${edge.port}/${edge.protocol}`
    : String(edge.port);
  return [port, http].filter(Boolean).join(' ');
}

/** Why a blocked edge is rejected: the layer's sentence and the finding's code. */
export function blockedReason(edge: AccessEdge): string | undefined {
  if (!edge.blocked) return undefined;
  const { reason, finding } = edge.blocked;
  return finding ? `${reason} (${finding})` : reason;
}

interface Line {
  labels: string[];
  modes: MtlsMode[];
  reasons: string[];
  traffic: EdgeTrafficStatus[];
}

/**
 * The who-can-call-me / whom-can-I-call graph of one workload. Each peer is one node per side
 * (a peer that calls the workload and is called by it is on both sides, marked
 * `bidirectional`); its connections are grouped by effective protection — what the client
 * actually sends, or blocked — so ports of different protections are never drawn as one line.
 * Everything shown comes from the backend's edges; nothing is recomputed.
 */
export function buildAccessGraph(workload: EntityWorkload): AccessGraphData {
  const sides = {
    caller: new Map<string, AccessPeerData & { groups: Map<string, Line> }>(),
    callee: new Map<string, AccessPeerData & { groups: Map<string, Line> }>(),
  };
  const line = (
    side: AccessPeerData['side'],
    id: string,
    label: string,
    role: AccessPeerData['role'],
    protection: EdgeProtection,
  ): Line => {
    let peer = sides[side].get(id);
    if (!peer) {
      peer = {
        id,
        label,
        role,
        side,
        bidirectional: false,
        lines: [],
        groups: new Map(),
      };
      sides[side].set(id, peer);
    }
    let group = peer.groups.get(protection);
    if (!group) {
      group = { labels: [], modes: [], reasons: [], traffic: [] };
      peer.groups.set(protection, group);
    }
    return group;
  };
  const addOnce = <T>(list: T[], value: T) => {
    if (!list.includes(value)) list.push(value);
  };
  const add = (
    edge: AccessEdge & { traffic?: { status: EdgeTrafficStatus } },
    side: AccessPeerData['side'],
  ) => {
    const g = line(
      side,
      peerId(edge.peer),
      peerLabel(edge.peer),
      roleOf(edge.peer),
      edgeProtection(edge),
    );
    const peer = sides[side].get(peerId(edge.peer))!;
    if (isWorkloadPeer(edge.peer)) peer.namespace = edge.peer.namespace;
    peer.noPolicy =
      (peer.noPolicy ?? true) &&
      edge.decidedBy.layer === 'default' &&
      !edge.blocked;
    addOnce(g.labels, edgePortLabel(edge));
    addOnce(g.modes, edge.portMtls);
    const reason = blockedReason(edge);
    if (reason) addOnce(g.reasons, reason);
    if (edge.traffic) g.traffic.push(edge.traffic.status);
  };
  workload.callers.forEach(edge => add(edge, 'caller'));
  (workload.blockedCallers ?? []).forEach(edge => add(edge, 'caller'));
  workload.callees.forEach(edge => add(edge, 'callee'));
  // Traffic no edge allows: its sources as one node per group (callers), or the callee.
  workload.observed.unmatchedCallers.forEach((u, i) => {
    const labels = u.sources.map(observedSourceLabel);
    const label = `${labels.join(', ')}${
      u.sourceCount > labels.length
        ? `, +${u.sourceCount - labels.length} more`
        : ''
    }`;
    const g = line('caller', `observed:${i}`, label, 'observed', 'unknown');
    addOnce(g.labels, u.port === undefined ? 'all ports' : String(u.port));
    g.traffic.push(u.status);
  });
  workload.observed.unmatchedCallees.forEach(u => {
    if (!u.peer) return;
    const g = line(
      'callee',
      peerId(u.peer),
      peerLabel(u.peer),
      'observed',
      'unknown',
    );
    addOnce(g.labels, u.port === undefined ? 'all ports' : String(u.port));
    g.traffic.push(u.status);
  });

  const finish = (
    map: (typeof sides)['caller'],
    other: (typeof sides)['caller'],
  ): AccessPeerData[] =>
    Array.from(map.values()).map(({ groups, ...peer }) => ({
      ...peer,
      bidirectional: peer.role !== 'observed' && other.has(peer.id),
      lines: EDGE_PROTECTIONS.filter(p => groups.has(p)).map(protection => {
        const g = groups.get(protection)!;
        const traffic = combineTrafficStatuses(g.traffic);
        return {
          protection,
          label: g.labels.join(', '),
          portModes: g.modes,
          ...(g.reasons.length > 0 ? { reason: g.reasons.join('; ') } : {}),
          ...(traffic ? { traffic } : {}),
        };
      }),
    }));
  return {
    self: { label: `${workload.namespace}/${workload.name}` },
    callers: finish(sides.caller, sides.callee),
    callees: finish(sides.callee, sides.caller),
  };
}
