import { Finding } from './finding';
import { Mesh, MtlsMode, PortMtls } from './mesh';
import { Scorecard } from './scorecard';

/**
 * Names a workload. `kind` and `cluster` are optional when the name is unambiguous.
 *
 * @public
 */
export interface WorkloadRef {
  cluster?: string;
  namespace: string;
  name: string;
  kind?: string;
}

/**
 * The verdicts for one workload: mesh membership, identity, per-port mTLS, findings, scorecard.
 *
 * @public
 */
export interface WorkloadPosture {
  cluster: string;
  namespace: string;
  name: string;
  kind: string;
  serviceAccount: string;
  mesh: Mesh;
  /** SPIFFE id (Istio) or Linkerd identity; null when not meshed. */
  identity: string | null;
  mtls: MtlsMode;
  mtlsReason?: string;
  ports: PortMtls[];
  /** Live pods with a proxy vs all live pods (0/0 when read from manifests). */
  pods: { meshed: number; total: number };
  labels: Record<string, string>;
  findings: Finding[];
  scorecard: Scorecard;
}
