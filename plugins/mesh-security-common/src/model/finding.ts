/**
 * How bad a finding can be, from `critical` (traffic is exposed or a policy is silently defeated,
 * e.g. a STRICT server behind a DestinationRule that disables mTLS) down to `info` (worth
 * knowing, nothing to fix by itself, e.g. a CUSTOM policy delegating to an external authorizer).
 * From most to least severe: `critical`, `high`, `medium`, `low`, `info`.
 *
 * @public
 */
export const SEVERITIES = [
  'critical',
  'high',
  'medium',
  'low',
  'info',
] as const;

/**
 * One of {@link SEVERITIES}.
 *
 * @public
 */
export type Severity = (typeof SEVERITIES)[number];

/**
 * The object a finding is about.
 *
 * @public
 */
export interface ObjectRef {
  /** Kubernetes kind of the object, e.g. `Deployment`, `PeerAuthentication`, `NetworkPolicy`. */
  kind: string;
  /** Namespace of the object; empty for cluster-scoped objects (e.g. a `Namespace`: see `name`). */
  namespace: string;
  /** Object name (for a workload, its top-level controller's, e.g. the Deployment). */
  name: string;
  /**
   * Cluster the object was read from (the engine's `cluster` option, `default` without one);
   * absent only in findings of {@link readObjects} called without a cluster name.
   */
  cluster?: string;
}

/**
 * A configuration problem with a stable code (`MS1xx` mTLS, `MS2xx` authorization, `MS3xx`
 * network policy, `MS4xx` identity/certificates and malformed objects, `MS5xx` observed traffic).
 *
 * @public
 */
export interface Finding {
  /** Stable code, e.g. `MS101`; documented by {@link findingDefinition}. */
  code: string;
  /** Severity of this finding (that of its code's definition). */
  severity: Severity;
  /** One sentence naming the concrete objects, ports or values involved. */
  message: string;
  /** What to change to resolve it (usually the definition's fix, sometimes made specific). */
  fix: string;
  /** The object the finding is about (the one to change, or the workload affected). */
  object: ObjectRef;
}

/**
 * The documentation of one finding code, as listed by {@link findingDefinitions}.
 *
 * @public
 */
export interface FindingDefinition {
  /**
   * Stable code: `MS1xx` mTLS, `MS2xx` authorization, `MS3xx` network policy, `MS4xx` identity,
   * `MS5xx` observed traffic.
   */
  code: string;
  /** Short headline, e.g. "Port accepts plaintext (PERMISSIVE)". */
  title: string;
  /** Severity of every finding with this code. */
  severity: Severity;
  /** Why this is a problem, citing the mesh's or Kubernetes' documented behaviour. */
  description: string;
  /** The general remedy. */
  fix: string;
}
