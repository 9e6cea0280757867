/*
 * Observed traffic: what the mesh's own metrics (in Prometheus) say crossed the wire, held
 * against what the policies claim (docs/traffic.md).
 */

import { Peer } from './access';
import { MtlsMode } from './mesh';
import { WorkloadRef } from './workload';

/**
 * Who sent traffic, as the receiving proxy reported it: a workload of the cluster, a mesh
 * identity no workload of the snapshot carries, or nothing the mesh could tell (plaintext from
 * outside the mesh, or an unknown source).
 *
 * @public
 */
export type TrafficSource =
  | {
      kind: 'workload';
      namespace: string;
      /** The workload's name as the mesh reports it (its top-level controller's). */
      name: string;
      /** The mesh identity it presented, when reported (SPIFFE ID or Linkerd identity). */
      identity?: string;
    }
  | { kind: 'identity'; identity: string }
  | { kind: 'unknown' };

/**
 * Counts over one window. Requests for HTTP (and gRPC) traffic, connections for TCP; a proxy
 * reports one or the other per port.
 *
 * @public
 */
export interface TrafficCounts {
  /** Requests or connections carried over mesh mTLS. */
  mtls: number;
  /** Requests or connections in plaintext (or TLS without a mesh identity). */
  plaintext: number;
  /**
   * Requests or connections the receiving proxy refused for authorization (Linkerd: also
   * requests no route of their Server matched).
   */
  denied: number;
}

/**
 * Traffic from one source to one workload (and port, when the metrics tell it), as received.
 *
 * @public
 */
export interface ObservedFlow {
  /** The mesh whose proxy (or ztunnel) reported the flow. */
  mesh: 'istio' | 'linkerd';
  /** The receiving workload, as the mesh names it (its controller: Deployment, …). */
  to: { namespace: string; name: string };
  /** The receiving container port; absent when the metrics do not tell ports apart. */
  port?: number;
  /** Who sent it. */
  from: TrafficSource;
  /** `http`: request counts; `tcp`: connection counts. */
  protocol: 'http' | 'tcp';
  /** Over the recent window. */
  recent: TrafficCounts;
  /** Over the evidence window (longer: what decisions such as enforcing STRICT rest on). */
  evidence: TrafficCounts;
  /** When traffic of this flow was last seen (ISO), when known. */
  lastSeen?: string;
}

/**
 * An {@link ObservedFlow} that holds both windows' counts as number fields of its own (the
 * backend holds every flow so: two objects fewer per flow, and its `recent` / `evidence` are
 * built on each read). The engine's join reads these fields when a flow has them — they must
 * equal `recent` and `evidence` — and builds nothing per flow it sums.
 *
 * @public
 */
export interface FlowCountFields {
  /** `recent.mtls`. */
  recentMtls: number;
  /** `recent.plaintext`. */
  recentPlaintext: number;
  /** `recent.denied`. */
  recentDenied: number;
  /** `evidence.mtls`. */
  evidenceMtls: number;
  /** `evidence.plaintext`. */
  evidencePlaintext: number;
  /** `evidence.denied`. */
  evidenceDenied: number;
}

/**
 * The observations of one cluster, as of one read of its metrics.
 *
 * @public
 */
export interface TrafficObservations {
  /** The cluster (as configured in the backend) the flows were received in. */
  cluster: string;
  /**
   * `ok`: read on the last attempt; `stale`: the last attempt failed, these are older;
   * `unavailable`: never read; `not-configured`: no metrics source for this cluster.
   */
  status: 'ok' | 'stale' | 'unavailable' | 'not-configured';
  /** Where the observations come from: a Prometheus HTTP API, or recorded data (the demo). */
  source?: 'prometheus' | 'recorded';
  /** When the observations were read (ISO). */
  fetchedAt?: string;
  /**
   * Recorded data only: when the recording was made (ISO). Its windows end then, not at
   * `fetchedAt`, and its last-seen times are as recorded.
   */
  recordedAt?: string;
  /** Why the last attempt failed, safe to show. */
  message?: string;
  /** The windows, in seconds. */
  windows: { recentSeconds: number; evidenceSeconds: number };
  /** A query answered more series than the cap: some flows are missing. */
  truncated: boolean;
  /** The flows received, aggregated per receiving workload, port and source. */
  flows: ObservedFlow[];
}

/**
 * A traffic source as the engine resolved it against the snapshot.
 *
 * @public
 */
export interface ObservedSource {
  /** The source as the receiving proxy reported it. */
  from: TrafficSource;
  /**
   * The workload of the snapshot it is, matched by namespace and name or by the mesh identity
   * it presented; absent when no workload (or more than one, see `candidates`) matches.
   */
  workload?: WorkloadRef & { kind: string };
  /** How many workloads share the identity when it names more than one (no `workload` then). */
  candidates?: number;
  /** Over the recent window. */
  recent: TrafficCounts;
  /** Over the evidence window. */
  evidence: TrafficCounts;
  /** When traffic from this source was last seen (ISO), when known. */
  lastSeen?: string;
}

/**
 * How many ports a workload does not declare are listed on their own in its
 * {@link WorkloadTraffic} (those with the most traffic in the evidence window); the others are
 * summed into one entry per mode ({@link PortTraffic.otherPorts}). A scan of the mesh's ports
 * would otherwise add an entry, and findings, per port probed.
 *
 * @public
 */
export const OBSERVED_PORT_LIMIT = 20;

/**
 * Observed traffic to one port of a workload, to all its ports when the metrics do not tell
 * ports apart, or to the ports beyond {@link OBSERVED_PORT_LIMIT} of one mode (`otherPorts`).
 *
 * @public
 */
export interface PortTraffic {
  /**
   * The receiving container port; absent: every port together (the metrics lack ports), or the
   * ports `otherPorts` describes.
   */
  port?: number;
  /**
   * Present when the entry sums several ports traffic was seen on that the workload does not
   * declare and that are not listed on their own (beyond {@link OBSERVED_PORT_LIMIT}, the least
   * traffic), all of them with the mode `mtls`.
   */
  otherPorts?: {
    /** How many ports. */
    count: number;
    /** The lowest and highest of them. */
    lowest: number;
    highest: number;
    /** How many of them received plaintext in the evidence window. */
    withPlaintext: number;
  };
  /**
   * What the policies say the port accepts (the workload's combined mode for every port
   * together), to hold the observations against.
   */
  mtls: MtlsMode;
  /** Counts over the recent window, every source together. */
  recent: TrafficCounts;
  /** Counts over the evidence window, every source together. */
  evidence: TrafficCounts;
  /**
   * mTLS share of the accepted requests or connections (`mtls / (mtls + plaintext)`), per
   * window; null when none were accepted.
   */
  mtlsShare: { recent: number | null; evidence: number | null };
  /** The plaintext sources of the evidence window, most plaintext first (at most 5). */
  plaintextSources: ObservedSource[];
  /** How many distinct plaintext sources the evidence window holds (may exceed the list). */
  plaintextSourceCount: number;
  /** How many distinct sources sent anything in the evidence window. */
  sourceCount: number;
  /** When traffic to the port was last seen (ISO), when known. */
  lastSeen?: string;
}

/**
 * Observed traffic to one workload, per port.
 *
 * @public
 */
export interface WorkloadTraffic {
  /**
   * Whether a proxy receives (and so reports) the workload's inbound traffic. False for a
   * workload without a mesh proxy or whose membership is unknown: no traffic says nothing.
   */
  observable: boolean;
  /** Why the traffic is not observable; absent when it is. */
  reason?: string;
  /** Whether the metrics of the workload's mesh tell ports apart (else one entry, no `port`). */
  portsTold: boolean;
  /**
   * Per port: declared ports, then ports traffic was seen on (at most
   * {@link OBSERVED_PORT_LIMIT} undeclared ones, then one entry per mode for the rest), or one
   * entry for every port.
   */
  ports: PortTraffic[];
}

/**
 * How an entry of folded ports ({@link PortTraffic.otherPorts}) is named: "57 other ports
 * (9021–9990) not declared".
 *
 * @public
 */
export function otherPortsLabel(
  other: NonNullable<PortTraffic['otherPorts']>,
): string {
  const range =
    other.lowest === other.highest
      ? `${other.lowest}`
      : `${other.lowest}–${other.highest}`;
  return `${other.count} other port${
    other.count === 1 ? '' : 's'
  } (${range}) not declared`;
}

/**
 * What observed traffic says about an access edge, or about sources no edge covers:
 *
 * - `used`: the policies allow it and traffic was accepted in the evidence window;
 * - `unused`: the policies allow it, nothing was seen in the evidence window (a least-privilege
 *   candidate);
 * - `denied`: observed although the policies deny it: requests the mesh refused, or traffic
 *   accepted from a workload the policies (now) deny;
 * - `outside-grant`: accepted from a source no grant names (an identity no workload carries, or
 *   an unknown source) where no edge admits such callers;
 * - `unknown`: no proxy reports the receiving side, or the source cannot be told (an identity
 *   several workloads share, policies not all read).
 *
 * @public
 */
export const EDGE_TRAFFIC_STATUSES = [
  'used',
  'unused',
  'denied',
  'outside-grant',
  'unknown',
] as const;

/**
 * One of {@link EDGE_TRAFFIC_STATUSES}.
 *
 * @public
 */
export type EdgeTrafficStatus = (typeof EDGE_TRAFFIC_STATUSES)[number];

/**
 * Observed traffic along one access edge (the edge's peer and port), or from sources outside
 * every edge.
 *
 * @public
 */
export interface EdgeTraffic {
  /** The edge's verdict against the observations. */
  status: EdgeTrafficStatus;
  /** Why `unknown`, or what `denied` rests on. */
  reason?: string;
  /**
   * Absent when the observations tell the port; `false` when they do not and the counts are
   * those of every port of the peer (the same counts on each of its edges).
   */
  portsTold?: false;
  /** Counts over the recent window, every source of the edge together. */
  recent: TrafficCounts;
  /** Counts over the evidence window, every source of the edge together. */
  evidence: TrafficCounts;
  /** mTLS share of the accepted traffic per window; null when none was accepted. */
  mtlsShare: { recent: number | null; evidence: number | null };
  /**
   * The sources that sent it, most traffic first (at most 5). None on a callee edge (and on
   * traffic no callee edge covers): its source is the workload whose callees they are.
   */
  sources: ObservedSource[];
  /** How many distinct sources the edge holds (may exceed the list; 1 on a callee edge). */
  sourceCount: number;
  /** When traffic along the edge was last seen (ISO), when known. */
  lastSeen?: string;
}

/**
 * Traffic observed from sources no edge of the list covers, for one port (or every port).
 *
 * @public
 */
export interface UnmatchedTraffic extends EdgeTraffic {
  /** The receiving port: the workload's for callers, the callee's for callees; absent: all. */
  port?: number;
  /** The other end, when it is a workload of the snapshot (a callee, for callee lists). */
  peer?: Peer;
}

/**
 * How an observed source is named in tables and findings: `namespace/name` for a workload, the
 * identity (and how many workloads share it) for an identity, "outside the mesh / unknown"
 * when the proxy could not tell.
 *
 * @public
 */
export function observedSourceLabel(
  source: Pick<ObservedSource, 'from' | 'workload' | 'candidates'>,
): string {
  if (source.workload)
    return `${source.workload.namespace}/${source.workload.name}`;
  const from = source.from;
  if (from.kind === 'workload')
    return `${from.namespace}/${from.name} (not in the snapshot)`;
  if (from.kind === 'identity')
    return source.candidates
      ? `${from.identity} (shared by ${source.candidates} workloads)`
      : `${from.identity} (no workload of the snapshot)`;
  return 'outside the mesh / unknown';
}

/**
 * A window as people say it: `7 d`, `1 h`, `30 min`, `45 s` (messages and displays alike).
 *
 * @public
 */
export function formatTrafficWindow(seconds: number): string {
  if (seconds >= 86400 && seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
