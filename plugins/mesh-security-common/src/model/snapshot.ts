/*
 * The Snapshot: trimmed, JSON-serialisable projections of the Kubernetes, Istio and Linkerd
 * objects the engine reads. Plain data only (no classes, no Maps) so that the backend can store
 * it in its cache and send it between replicas.
 */

/**
 * A Kubernetes label selector (`matchLabels` AND `matchExpressions`).
 *
 * @public
 */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/**
 * Identity and age of a stored object.
 *
 * @public
 */
export interface ObjectMeta {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** RFC 3339; absent in manifests (then "oldest wins" cannot be decided). */
  creationTimestamp?: string;
}

/**
 * A namespace with its labels (including the implicit `kubernetes.io/metadata.name`).
 *
 * @public
 */
export interface SnapshotNamespace {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * A container port of a pod template.
 *
 * @public
 */
export interface ContainerPort {
  port: number;
  name?: string;
  protocol?: string;
}

/**
 * A live pod grouped under its workload.
 *
 * @public
 */
export interface SnapshotPod {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Names of containers, including init containers running as native sidecars. */
  containers: string[];
  podIP?: string;
  phase?: string;
}

/**
 * A Secret a workload's pod template uses.
 *
 * @public
 */
export interface SecretUse {
  name: string;
  via: 'volume' | 'env' | 'envFrom' | 'csi';
}

/**
 * A workload: a pod controller (or bare Pod) with its pod template and live pods.
 *
 * @public
 */
export interface SnapshotWorkload {
  namespace: string;
  name: string;
  kind: string;
  /** Pod template labels (bare pods: the pod's labels). */
  labels: Record<string, string>;
  /** Pod template annotations. */
  annotations: Record<string, string>;
  serviceAccount: string;
  hostNetwork?: boolean;
  /** Container names of the template (including native sidecars among init containers). */
  containers: string[];
  /** Every container port of the pod template (proxy containers excluded). */
  ports: ContainerPort[];
  secrets: SecretUse[];
  /** A CSI secrets-store volume is mounted. */
  csiSecretStore: boolean;
  pods: SnapshotPod[];
}

/**
 * A Service (used to resolve DestinationRule hosts to workloads).
 *
 * @public
 */
export interface SnapshotService {
  namespace: string;
  name: string;
  /** null: no selector (endpoints managed elsewhere). */
  selector: Record<string, string> | null;
  ports: Array<{ port: number; targetPort?: number | string; name?: string; protocol?: string }>;
}

/**
 * A policy object: its metadata and its (validated) spec as plain JSON.
 *
 * @public
 */
export interface SnapshotPolicy<Spec> extends ObjectMeta {
  kind: string;
  apiVersion: string;
  spec: Spec;
}

/**
 * A plain JSON object (a policy's spec as read, after validation of the fields the engine uses).
 *
 * @public
 */
export type JsonObject = { [key: string]: unknown };

/**
 * Mesh-wide settings read from the Istio `istio` ConfigMap and `linkerd-config`.
 *
 * @public
 */
export interface MeshConfigValues {
  istio?: { rootNamespace?: string; trustDomain?: string };
  linkerd?: { trustDomain?: string; defaultInboundPolicy?: string; clusterNetworks?: string[] };
}

/**
 * Everything the engine reads about one cluster.
 *
 * @public
 */
export interface Snapshot {
  cluster?: string;
  meshConfig: MeshConfigValues;
  namespaces: SnapshotNamespace[];
  workloads: SnapshotWorkload[];
  services: SnapshotService[];
  istio: {
    peerAuthentications: Array<SnapshotPolicy<JsonObject>>;
    destinationRules: Array<SnapshotPolicy<JsonObject>>;
    authorizationPolicies: Array<SnapshotPolicy<JsonObject>>;
  };
  linkerd: {
    servers: Array<SnapshotPolicy<JsonObject>>;
    serverAuthorizations: Array<SnapshotPolicy<JsonObject>>;
    authorizationPolicies: Array<SnapshotPolicy<JsonObject>>;
    meshTlsAuthentications: Array<SnapshotPolicy<JsonObject>>;
    networkAuthentications: Array<SnapshotPolicy<JsonObject>>;
    httpRoutes: Array<SnapshotPolicy<JsonObject>>;
  };
  networkPolicies: Array<SnapshotPolicy<JsonObject>>;
  externalSecrets: Array<{ namespace: string; name: string; targetSecret: string }>;
}

/**
 * An empty snapshot (handy for tests and for building one incrementally).
 *
 * @public
 */
export function emptySnapshot(): Snapshot {
  return {
    meshConfig: {},
    namespaces: [],
    workloads: [],
    services: [],
    istio: { peerAuthentications: [], destinationRules: [], authorizationPolicies: [] },
    linkerd: {
      servers: [],
      serverAuthorizations: [],
      authorizationPolicies: [],
      meshTlsAuthentications: [],
      networkAuthentications: [],
      httpRoutes: [],
    },
    networkPolicies: [],
    externalSecrets: [],
  };
}
