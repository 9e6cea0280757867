/**
 * The state of one zero-trust pillar.
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
  status: PillarStatus;
  detail: string;
}

/**
 * The zero-trust scorecard of a workload or component (see DESIGN.md "Posture").
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
