import {
  AccessEdge,
  Finding,
  ObservedAccessEdge,
  ObservedWorkloadTraffic,
  TrafficJoin,
  TrafficObservationState,
  TrafficObservations,
  UNMATCHED_TRAFFIC_LIMIT,
  UnmatchedTraffic,
  WorkloadRef,
  WorkloadTraffic,
} from '@mesh-security/plugin-mesh-security-common';
import { AccessGraph } from '../snapshots/AccessGraph';
import type { ClusterView } from '../snapshots/clusterView';
import { TrafficObservationsReader } from '../traffic/types';

/** A workload's part of an entity view that observed traffic adds. */
interface WorkloadObservations {
  observed: ObservedWorkloadTraffic;
  callers: ObservedAccessEdge[];
  callees: ObservedAccessEdge[];
  /** MS5xx findings about the workload. */
  findings: Finding[];
}

/** One cluster's observations, joined with its view for the workloads a request asks about. */
export interface ClusterTraffic {
  /** The cluster's observation state (status, windows, age). */
  state: TrafficObservationState;
  workload(ref: WorkloadRef, graph: AccessGraph): WorkloadObservations;
  /**
   * The workload's observed inbound traffic and its MS5xx findings, without the edges (an entity
   * summary's): the same observation state, traffic per port and findings as
   * {@link ClusterTraffic.workload}, failing closed alike.
   */
  summary(
    ref: WorkloadRef,
    graph: AccessGraph,
  ): {
    observed: Pick<ObservedWorkloadTraffic, 'observations' | 'workload'>;
    findings: Finding[];
  };
  /**
   * The workload's observed inbound traffic and its MS5xx findings, without the edges (for the
   * overview); undefined when the observations are not usable or cannot be joined.
   */
  evidence(
    ref: WorkloadRef,
  ): { traffic?: WorkloadTraffic; findings: Finding[] } | undefined;
}

const MEMO_KEY = 'traffic';

/**
 * The latest observations of a view's cluster, joined with its engine. The join is kept in the
 * view's memo until the reader hands out other observations (docs/traffic.md): a page view
 * costs one reader call and the flows of the workloads it shows, never a metrics query.
 */
export async function trafficOf(
  view: ClusterView,
  reader: TrafficObservationsReader,
  now = new Date(),
): Promise<ClusterTraffic> {
  const cluster = view.state.cluster;
  let observations: TrafficObservations;
  try {
    observations = await reader.observations(cluster);
  } catch {
    observations = unavailable(cluster, 'the observations could not be read');
  }
  let state = stateOf(observations, now);
  let join: TrafficJoin | undefined;
  if (view.engine && (state.status === 'ok' || state.status === 'stale')) {
    const held = view.memo.get(MEMO_KEY) as
      | { observations: TrafficObservations; join: TrafficJoin | undefined }
      | undefined;
    if (held && held.observations === observations) join = held.join;
    else {
      try {
        join = view.engine.traffic(observations);
      } catch {
        // Observations the join cannot index (a reader handing out malformed flows): kept as
        // such until the reader hands out others, so each view does not try again.
        join = undefined;
      }
      view.memo.set(MEMO_KEY, { observations, join });
    }
    // Fail closed: the policy view is served as before, the observations flagged.
    if (!join) state = notJoined(state);
  }
  return {
    state,
    summary(ref, graph) {
      if (!join) return { observed: { observations: state }, findings: [] };
      try {
        return {
          observed: { observations: state, workload: join.workload(ref) },
          // The callers as the entity view reads them (listed ahead of the views).
          findings: join.findings(ref, graph.callersOf(ref)),
        };
      } catch {
        return {
          observed: { observations: notJoined(state) },
          findings: [],
        };
      }
    },
    evidence(ref) {
      if (!join) return undefined;
      try {
        return { traffic: join.workload(ref), findings: join.findings(ref) };
      } catch {
        return undefined;
      }
    },
    workload(ref, graph) {
      const callers = graph.callersOf(ref);
      const callees = graph.calleesOf(ref);
      if (!join) return plain(state, callers, callees);
      try {
        const inbound = join.callers(ref, callers)!;
        const outbound = join.callees(ref, callees)!;
        return {
          observed: {
            observations: state,
            workload: join.workload(ref),
            unmatchedCallers: mostTraffic(inbound.unmatched),
            unmatchedCallerCount: inbound.unmatched.length,
            unmatchedCallees: mostTraffic(outbound.unmatched),
            unmatchedCalleeCount: outbound.unmatched.length,
          },
          callers: withTraffic(callers, inbound.edges),
          callees: withTraffic(callees, outbound.edges),
          // The callers just joined: the findings reuse that join.
          findings: join.findings(ref, callers),
        };
      } catch {
        // Fail closed: the policy view is served as before, the observations flagged.
        return plain(notJoined(state), callers, callees);
      }
    },
  };
}

function withTraffic(
  edges: AccessEdge[],
  traffic: ObservedAccessEdge['traffic'][],
): ObservedAccessEdge[] {
  // Object.assign rather than a spread: on Node 20 a spread of an edge took microseconds
  // (docs/benchmarks.md, "Observed traffic"), and lists can be long.
  return edges.map((edge, i) =>
    Object.assign({}, edge, { traffic: traffic[i] }),
  );
}

/**
 * The groups of traffic no edge covers that a view lists: most traffic in the evidence window
 * first (groups with as much in the order their first flows came), at most
 * {@link UNMATCHED_TRAFFIC_LIMIT}. A copy: the join keeps its lists for the next view.
 */
function mostTraffic(groups: UnmatchedTraffic[]): UnmatchedTraffic[] {
  if (groups.length < 2) return groups;
  const total = (u: UnmatchedTraffic) =>
    u.evidence.mtls + u.evidence.plaintext + u.evidence.denied;
  return [...groups]
    .sort((a, b) => total(b) - total(a))
    .slice(0, UNMATCHED_TRAFFIC_LIMIT);
}

function plain(
  state: TrafficObservationState,
  callers: AccessEdge[],
  callees: AccessEdge[],
): WorkloadObservations {
  return {
    observed: {
      observations: state,
      unmatchedCallers: [],
      unmatchedCallerCount: 0,
      unmatchedCallees: [],
      unmatchedCalleeCount: 0,
    },
    callers,
    callees,
    findings: [],
  };
}

/** The state a view shows when the observations could not be joined with the policies. */
function notJoined(state: TrafficObservationState): TrafficObservationState {
  return {
    ...state,
    status: 'unavailable',
    message: 'the observations could not be joined with the policies',
  };
}

function stateOf(o: TrafficObservations, now: Date): TrafficObservationState {
  const fetched = o.fetchedAt ? Date.parse(o.fetchedAt) : NaN;
  return {
    status: o.status,
    ...(o.source ? { source: o.source } : {}),
    ...(o.fetchedAt ? { fetchedAt: o.fetchedAt } : {}),
    ...(o.recordedAt ? { recordedAt: o.recordedAt } : {}),
    ...(o.message ? { message: o.message } : {}),
    windows: o.windows,
    truncated: o.truncated,
    ageSeconds: Number.isNaN(fetched)
      ? null
      : Math.max(0, Math.round((now.getTime() - fetched) / 1000)),
  };
}

function unavailable(cluster: string, message: string): TrafficObservations {
  return {
    cluster,
    status: 'unavailable',
    message,
    windows: { recentSeconds: 3600, evidenceSeconds: 604800 },
    truncated: false,
    flows: [],
  };
}
