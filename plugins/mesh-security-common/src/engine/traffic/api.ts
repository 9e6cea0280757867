import {
  AccessEdge,
  EdgeTraffic,
  Finding,
  TrafficObservations,
  UnmatchedTraffic,
  WorkloadRef,
  WorkloadTraffic,
} from '../../model';

/**
 * One cluster's observations joined with the engine's policy view. Every answer is computed
 * from the flows of the workload asked about, so a question costs O(its flows + its edges).
 *
 * @public
 */
export interface TrafficJoin {
  /** The observations joined (their status, windows, age). */
  readonly observations: TrafficObservations;
  /**
   * Whether the observations can be used (`ok` or `stale`); when false, every answer is
   * undefined and no traffic finding is raised (nothing is guessed).
   */
  readonly usable: boolean;
  /** Flows whose receiving workload is not in the snapshot (left out of every answer). */
  readonly unknownTargets: number;
  /** The workload's observed inbound traffic, per port. */
  workload(ref: WorkloadRef): WorkloadTraffic | undefined;
  /**
   * The traffic along each of the workload's caller edges (in the order given; by default
   * `accessGraph().callersOf(ref)`), and the traffic no edge covers.
   */
  callers(
    ref: WorkloadRef,
    edges?: AccessEdge[],
  ): { edges: EdgeTraffic[]; unmatched: UnmatchedTraffic[] } | undefined;
  /** As `callers`, for the workload's callee edges (by default `calleesOf(ref)`). */
  callees(
    ref: WorkloadRef,
    edges?: AccessEdge[],
  ): { edges: EdgeTraffic[]; unmatched: UnmatchedTraffic[] } | undefined;
  /**
   * The MS5xx findings of the workload as the receiving side (docs/findings.md); none when the
   * observations are not usable or no proxy reports its traffic. `callers`: the workload's caller
   * edges when the caller already holds them (`accessGraph().callersOf(ref)`), so that an entity
   * view joins them once.
   */
  findings(ref: WorkloadRef, callers?: AccessEdge[]): Finding[];
}
