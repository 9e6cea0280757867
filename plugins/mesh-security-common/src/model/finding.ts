/**
 * How bad a finding is.
 *
 * @public
 */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/**
 * The object a finding is about.
 *
 * @public
 */
export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
  cluster?: string;
}

/**
 * A configuration problem with a stable code (`MS1xx` mTLS, `MS2xx` authorization, `MS3xx`
 * network policy, `MS4xx` identity/certificates and malformed objects).
 *
 * @public
 */
export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  fix: string;
  object: ObjectRef;
}

/**
 * The documentation of one finding code, as listed by {@link findingDefinitions}.
 *
 * @public
 */
export interface FindingDefinition {
  code: string;
  title: string;
  severity: Severity;
  description: string;
  fix: string;
}
