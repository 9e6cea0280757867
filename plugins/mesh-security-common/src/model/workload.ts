import { Finding } from './finding';
import { Mesh, MtlsMode, PortMtls } from './mesh';
import { Scorecard } from './scorecard';

/**
 * The kinds a workload can have: its top-level controller's (a ReplicaSet or Job only when
 * nothing above it was read), or `Pod` for a bare pod.
 *
 * @public
 */
export const WORKLOAD_KINDS = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Pod',
] as const;

/**
 * Names a workload. `kind` and `cluster` are optional when the name is unambiguous.
 *
 * @public
 */
export interface WorkloadRef {
  /**
   * Cluster name (as configured in the backend); absent: whichever cluster holds the workload.
   * An engine finds only refs naming its own cluster, or none.
   */
  cluster?: string;
  /** Kubernetes namespace of the workload. */
  namespace: string;
  /** Workload name: the top-level controller's (e.g. the Deployment, not its ReplicaSet). */
  name: string;
  /**
   * Controller kind (`Deployment`, `StatefulSet`, `DaemonSet`, `Job`, `CronJob`, or `Pod` for a
   * bare pod); absent: any kind (give it when workloads of several kinds share the name).
   */
  kind?: string;
}

/**
 * The verdicts for one workload: mesh membership, identity, per-port mTLS, findings, scorecard.
 *
 * @public
 */
export interface WorkloadPosture {
  /** Cluster the workload runs in (the engine's `cluster` option, `default` without one). */
  cluster: string;
  /** Kubernetes namespace of the workload. */
  namespace: string;
  /** Workload name: the top-level controller's (e.g. the Deployment), or the bare Pod's. */
  name: string;
  /** Controller kind: `Deployment`, `StatefulSet`, `DaemonSet`, `Job`, `CronJob` or `Pod`. */
  kind: string;
  /**
   * Service account of the pod template (`default` when unset). The mesh identity is derived
   * from it: workloads sharing a service account share an identity, so callers' rules that name
   * the identity cannot tell them apart.
   */
  serviceAccount: string;
  /** The data plane the workload's pods belong to (observed from live pods, else predicted). */
  mesh: Mesh;
  /**
   * Set for a workload of a platform namespace (`EngineOptions.platformNamespaces`): meant to
   * run outside the mesh, so it raises no mesh-membership findings; still evaluated.
   */
  platform?: true;
  /** SPIFFE id (Istio) or Linkerd identity; null when not meshed. */
  identity: string | null;
  /**
   * The workload's inbound mTLS mode: the ports' common mode, `PARTIAL` when ports or live pods
   * differ, `UNKNOWN` when data is missing (see `mtlsReason`).
   */
  mtls: MtlsMode;
  /**
   * Why this mode: the deciding policy, annotation or default, the per-port modes for
   * `PARTIAL`, or what is missing for `UNKNOWN`; absent when no explanation applies.
   */
  mtlsReason?: string;
  /** The mode of every container port of the pod template (proxy containers excluded). */
  ports: PortMtls[];
  /**
   * Unmodelled objects and settings that may change this workload's verdicts, each as
   * `not evaluated: <Kind ns/name>` (docs/engine.md "Not evaluated"): its ports' modes are then
   * `UNKNOWN` where the object may change mTLS, and access decisions it may change lean to DENY.
   * Absent when there are none.
   */
  notEvaluated?: string[];
  /** Live pods with a proxy vs all live pods (0/0 when read from manifests). */
  pods: { meshed: number; total: number };
  /** Pod template labels (a bare pod's own labels); catalog entities select workloads by them. */
  labels: Record<string, string>;
  /** Findings about this workload itself (policy-level findings are in the evaluation only). */
  findings: Finding[];
  /** The workload's zero-trust scorecard. */
  scorecard: Scorecard;
}
