/**
 * The state of one zero-trust pillar:
 *
 * - `pass`: the practice is in place (e.g. every port STRICT);
 * - `warn`: partly in place (e.g. PERMISSIVE ports, wildcard identities, isolation without a
 *   namespace default deny);
 * - `fail`: not in place (e.g. no mesh proxy, no ALLOW policy, no NetworkPolicy, Secrets kept
 *   only in the cluster);
 * - `unknown`: cannot be decided from the data read (or the component has no workloads).
 *
 * A component's pillar takes its workloads' worst status: `fail`, then `warn`, then `unknown`,
 * then `pass` (see {@link combineScorecards}).
 *
 * @public
 */
export type PillarStatus = 'pass' | 'warn' | 'fail' | 'unknown';

/**
 * One pillar of the scorecard.
 *
 * @public
 */
export interface Pillar {
  /** Whether the practice is in place. */
  status: PillarStatus;
  /**
   * One line explaining the status, naming the ports, policies or Secrets involved (e.g.
   * "mTLS disabled on ports 8080", "no NetworkPolicy isolates the workload").
   */
  detail: string;
}

/**
 * The zero-trust scorecard of a workload or component (docs/architecture.md "Domain words":
 * Posture; each pillar's rule in docs/engine.md "Findings and scorecard").
 *
 * @public
 */
export interface Scorecard {
  /** mTLS STRICT on every port. */
  verifyExplicitly: Pillar;
  /** Explicit ALLOW policies naming callers, no wildcards, no allow-all. */
  leastPrivilege: Pillar;
  /** A default-deny NetworkPolicy segmenting the namespace. */
  assumeBreach: Pillar;
  /** Mounted/read Secrets come from an external secret store. */
  noCredentialLeakage: Pillar;
}
