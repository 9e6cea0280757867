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
  /** Labels that must all be present with these exact values. */
  matchLabels?: Record<string, string>;
  /**
   * Requirements that must all hold: `operator` is `In`, `NotIn` (with `values`), `Exists` or
   * `DoesNotExist` (without).
   */
  matchExpressions?: Array<{
    key: string;
    operator: string;
    values?: string[];
  }>;
}

/**
 * Identity and age of a stored object.
 *
 * @public
 */
export interface ObjectMeta {
  /** Namespace of the object (`default` when a manifest omits it, as `kubectl apply` does). */
  namespace: string;
  /** `metadata.name` of the object. */
  name: string;
  /** `metadata.labels` (empty when none). */
  labels: Record<string, string>;
  /** `metadata.annotations` (empty when none). */
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
  /** Namespace name. */
  name: string;
  /**
   * Namespace labels, e.g. Istio's `istio-injection`, `istio.io/rev`, `istio.io/dataplane-mode`,
   * used to predict mesh membership and to match NetworkPolicy `namespaceSelector`s.
   */
  labels: Record<string, string>;
  /** Namespace annotations, e.g. Linkerd's `linkerd.io/inject` and `config.linkerd.io/…`. */
  annotations: Record<string, string>;
}

/**
 * A container port of a pod template.
 *
 * @public
 */
export interface ContainerPort {
  /** `containerPort` number (1–65535). */
  port: number;
  /** Port name (referenced by named ports in NetworkPolicies and Linkerd Servers); optional. */
  name?: string;
  /** `TCP` (Kubernetes' default when omitted), `UDP` or `SCTP`. */
  protocol?: string;
}

/**
 * A live pod grouped under its workload.
 *
 * @public
 */
export interface SnapshotPod {
  /** Pod name. */
  name: string;
  /** The pod's own labels (may differ from the template's, e.g. after a partial rollout). */
  labels: Record<string, string>;
  /**
   * The pod's annotations, including those set by injection (e.g. Istio ambient's
   * `ambient.istio.io/redirection: enabled`).
   */
  annotations: Record<string, string>;
  /** Names of containers, including init containers running as native sidecars. */
  containers: string[];
  /** `status.podIP`; absent before the pod is scheduled and networked. */
  podIP?: string;
  /** `status.phase`: `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`; may be absent. */
  phase?: string;
}

/**
 * A Secret a workload's pod template uses.
 *
 * @public
 */
export interface SecretUse {
  /** Name of the Secret in the workload's namespace (the Secret itself is never read). */
  name: string;
  /**
   * How the pod template uses it: `volume` (a `secret` volume or projected volume source), `env`
   * (`env[].valueFrom.secretKeyRef`) or `envFrom` (`envFrom[].secretRef`). `csi` (a Secret
   * provided through a CSI volume) is reserved: {@link readObjects} does not produce it and
   * records CSI secrets-store volumes in {@link SnapshotWorkload.csiSecretStore} instead.
   */
  via: 'volume' | 'env' | 'envFrom' | 'csi';
}

/**
 * A workload: a pod controller (or bare Pod) with its pod template and live pods.
 *
 * @public
 */
export interface SnapshotWorkload {
  /** Kubernetes namespace of the workload. */
  namespace: string;
  /** Name of the top-level controller (e.g. the Deployment owning the ReplicaSet), or the Pod. */
  name: string;
  /** Controller kind: `Deployment`, `StatefulSet`, `DaemonSet`, `Job`, `CronJob` or `Pod`. */
  kind: string;
  /** Pod template labels (bare pods: the pod's labels). */
  labels: Record<string, string>;
  /** Pod template annotations. */
  annotations: Record<string, string>;
  /** `serviceAccountName` of the pod template (`default` when unset): the mesh identity. */
  serviceAccount: string;
  /** `true` when pods use the node's network (`hostNetwork`): never mesh-injected; else absent. */
  hostNetwork?: boolean;
  /** Container names of the template (including native sidecars among init containers). */
  containers: string[];
  /** Every container port of the pod template (proxy containers excluded). */
  ports: ContainerPort[];
  /** Secrets the pod template mounts or reads, one entry per (name, use). */
  secrets: SecretUse[];
  /** A CSI secrets-store volume is mounted. */
  csiSecretStore: boolean;
  /** Live pods of the workload; empty when read from manifests or when scaled to zero. */
  pods: SnapshotPod[];
}

/**
 * A Service (used to resolve DestinationRule hosts to workloads).
 *
 * @public
 */
export interface SnapshotService {
  /** Namespace of the Service. */
  namespace: string;
  /** Service name (the first label of its DNS name `<name>.<namespace>.svc.<cluster domain>`). */
  name: string;
  /** null: no selector (endpoints managed elsewhere). */
  selector: Record<string, string> | null;
  /**
   * Service ports: `port` is the Service's, `targetPort` the container port (a number or a port
   * name; Kubernetes defaults it to `port` when absent).
   */
  ports: Array<{
    port: number;
    targetPort?: number | string;
    name?: string;
    protocol?: string;
    /** `appProtocol` (Istio's protocol selection reads it before the port name). */
    appProtocol?: string;
  }>;
  /**
   * Service labels; absent when none were read. Read for Istio's `istio.io/use-waypoint` and
   * `istio.io/use-waypoint-namespace` (docs/engine.md "Ambient waypoints").
   */
  labels?: Record<string, string>;
  /**
   * Service annotations; absent when none were read. Read for Istio's
   * `networking.istio.io/exportTo`: the client namespaces that see the Service (docs/engine.md
   * "Istio service registry").
   */
  annotations?: Record<string, string>;
}

/**
 * A policy object: its metadata and its (validated) spec as plain JSON.
 *
 * @public
 */
export interface SnapshotPolicy<Spec> extends ObjectMeta {
  /** Kind, e.g. `PeerAuthentication`, `AuthorizationPolicy`, `Server`, `NetworkPolicy`. */
  kind: string;
  /** `group/version` as read, e.g. `security.istio.io/v1` or `policy.linkerd.io/v1beta3`. */
  apiVersion: string;
  /** The object's `spec`, unchanged (the engine validated the fields it reads). */
  spec: Spec;
}

/**
 * A plain JSON object (a policy's spec as read, after validation of the fields the engine uses).
 *
 * @public
 */
export type JsonObject = { [key: string]: unknown };

/**
 * The settings the engine reads from the `mesh` key of an Istio mesh ConfigMap.
 *
 * @public
 */
export interface IstioMeshConfigValues {
  /** `rootNamespace`: where mesh-wide policies live (Istio's default `istio-system`). */
  rootNamespace?: string;
  /** `trustDomain`: the SPIFFE trust domain (default `cluster.local`). */
  trustDomain?: string;
  /**
   * `trustDomainAliases`: further trust domains whose identities Istio's authorization treats
   * as the mesh's own (docs/engine.md "Trust domain").
   */
  trustDomainAliases?: string[];
  /**
   * `outboundTrafficPolicy.mode` (`ALLOW_ANY`, the default, or `REGISTRY_ONLY`): what a
   * sidecar does with traffic to destinations outside its registry (docs/engine.md "Istio
   * Sidecar").
   */
  outboundTrafficPolicy?: string;
  /**
   * `defaultServiceExportTo`: the namespaces that see a Service or ServiceEntry without
   * `exportTo` (Istio's default `*`; docs/engine.md "Istio service registry").
   */
  defaultServiceExportTo?: string[];
  /** `defaultDestinationRuleExportTo`: the same for DestinationRules (default `*`). */
  defaultDestinationRuleExportTo?: string[];
  /**
   * `enableAutoMtls` (default true): when false, a client sidecar sends plaintext wherever no
   * DestinationRule sets a TLS mode (docs/engine.md, "Auto mTLS" in the access check).
   */
  enableAutoMtls?: boolean;
}

/**
 * Mesh-wide settings read from the Istio `istio` ConfigMap and `linkerd-config`.
 *
 * @public
 */
export interface MeshConfigValues {
  /** From the `mesh` key of ConfigMap `istio`. Absent when the ConfigMap was not read. */
  istio?: IstioMeshConfigValues;
  /**
   * From the `mesh` key of ConfigMaps `istio-<revision>` in `istio-system`, by revision: the
   * mesh config of the workloads that revision injects (docs/engine.md "Trust domain").
   */
  istioRevisions?: Record<string, IstioMeshConfigValues>;
  /**
   * From the `values` key of ConfigMap `linkerd-config`: `identityTrustDomain`, the cluster-wide
   * default inbound policy (e.g. `all-unauthenticated`, `all-authenticated`, `deny`),
   * `clusterNetworks` (CIDRs) and `egress.globalEgressNetworkNamespace` (whose EgressNetworks
   * apply to every namespace; Linkerd's default `linkerd-egress`). Absent when the ConfigMap was
   * not read.
   */
  linkerd?: {
    trustDomain?: string;
    defaultInboundPolicy?: string;
    clusterNetworks?: string[];
    globalEgressNetworkNamespace?: string;
    /** `proxy.opaquePorts`: the ports every meshed pod treats as opaque unless annotated. */
    opaquePorts?: string;
  };
}

/**
 * Everything the engine reads about one cluster.
 *
 * @public
 */
export interface Snapshot {
  /** Cluster name; absent when unnamed (the engine then reports `default`). */
  cluster?: string;
  /** Mesh-wide settings read from the meshes' ConfigMaps (engine options win over them). */
  meshConfig: MeshConfigValues;
  /**
   * Namespaces read. A workload whose namespace is missing has an `UNKNOWN` membership
   * prediction, unless its pods or template say otherwise.
   */
  namespaces: SnapshotNamespace[];
  /** Workloads: pod controllers and bare pods, with their live pods grouped under them. */
  workloads: SnapshotWorkload[];
  /** Services (to resolve the hosts DestinationRules name to workloads). */
  services: SnapshotService[];
  /** Istio security objects (`security.istio.io` and `networking.istio.io`). */
  istio: {
    peerAuthentications: Array<SnapshotPolicy<JsonObject>>;
    destinationRules: Array<SnapshotPolicy<JsonObject>>;
    authorizationPolicies: Array<SnapshotPolicy<JsonObject>>;
  };
  /** Linkerd policy objects (`policy.linkerd.io`). */
  linkerd: {
    servers: Array<SnapshotPolicy<JsonObject>>;
    serverAuthorizations: Array<SnapshotPolicy<JsonObject>>;
    authorizationPolicies: Array<SnapshotPolicy<JsonObject>>;
    meshTlsAuthentications: Array<SnapshotPolicy<JsonObject>>;
    networkAuthentications: Array<SnapshotPolicy<JsonObject>>;
    httpRoutes: Array<SnapshotPolicy<JsonObject>>;
  };
  /** Kubernetes NetworkPolicies (`networking.k8s.io/v1`). */
  networkPolicies: Array<SnapshotPolicy<JsonObject>>;
  /**
   * Objects of the {@link UNEVALUATED_KINDS}: they can change verdicts but the engine does not
   * model them, so the workloads they may affect get "not evaluated" verdicts instead of a
   * silent answer (docs/engine.md "Not evaluated"). Absent: none were read. Cluster-scoped
   * objects have the namespace `''`.
   */
  unevaluated?: Array<SnapshotPolicy<JsonObject>>;
  /**
   * External Secrets Operator `ExternalSecret`s: `targetSecret` is the Secret each one writes
   * (`spec.target.name`, defaulting to the ExternalSecret's name).
   */
  externalSecrets: Array<{
    namespace: string;
    name: string;
    targetSecret: string;
  }>;
}

/**
 * The kinds that change verdicts but are not modelled, as `group/Kind` (the core group has no
 * prefix). {@link readObjects} keeps them in {@link Snapshot.unevaluated}, the backend lists
 * them where their CRDs exist, and the engine marks the verdicts they may change as "not
 * evaluated" (docs/engine.md "Not evaluated").
 * `Sidecar`, `AdminNetworkPolicy`, `BaselineAdminNetworkPolicy`, `CiliumNetworkPolicy`,
 * `CiliumClusterwideNetworkPolicy` and the Gateway API `Gateway` (Istio waypoints) are kept here
 * as well but modelled (docs/engine.md "Istio Sidecar", "AdminNetworkPolicy", "Cilium network
 * policies", "Ambient waypoints"): only what they leave undecided is "not evaluated". Of the
 * Gateway API `GRPCRoute`s, only those attached to a Linkerd Server are kept.
 *
 * @public
 */
export const UNEVALUATED_KINDS = [
  'networking.istio.io/Sidecar',
  'networking.istio.io/ServiceEntry',
  'workload.linkerd.io/ExternalWorkload',
  'policy.linkerd.io/EgressNetwork',
  'policy.networking.k8s.io/AdminNetworkPolicy',
  'policy.networking.k8s.io/BaselineAdminNetworkPolicy',
  'cilium.io/CiliumNetworkPolicy',
  'cilium.io/CiliumClusterwideNetworkPolicy',
  'gateway.networking.k8s.io/Gateway',
  'gateway.networking.k8s.io/GRPCRoute',
] as const;
