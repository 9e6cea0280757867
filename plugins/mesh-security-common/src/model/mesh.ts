/**
 * Which data plane a workload belongs to.
 *
 * @public
 */
export type Mesh = 'istio-sidecar' | 'istio-ambient' | 'linkerd' | 'none';

/**
 * The mTLS mode of a port (`STRICT` | `PERMISSIVE` | `DISABLED`) or of a workload (the ports'
 * common mode, `PARTIAL` when ports or live pods differ). `UNKNOWN` only when data is missing,
 * always together with a reason.
 *
 * @public
 */
export type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLED' | 'PARTIAL' | 'UNKNOWN';

/**
 * The mTLS mode of one container port of a workload.
 *
 * @public
 */
export interface PortMtls {
  port: number;
  name?: string;
  protocol?: string;
  mtls: MtlsMode;
  /** Why this mode (the deciding policy or annotation), always set for UNKNOWN/DISABLED. */
  reason?: string;
}
