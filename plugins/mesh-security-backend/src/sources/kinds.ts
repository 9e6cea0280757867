import {
  EngineInput,
  gatewayRouteOnServer,
  istioMeshConfigRevision,
} from '@mesh-security/plugin-mesh-security-common';

/**
 * The Kubernetes resources Mesh Security reads — exactly these, with list/watch only (the
 * shipped ClusterRole in `deploy/rbac.yaml` grants nothing else, a Role the ConfigMaps of
 * `istio-system`, and nothing on Secrets).
 *
 * Versions are tried in order: the first one the API server serves is used, so clusters on
 * older Istio / Linkerd releases (v1beta1 policies) work too. A group that answers 404 for every
 * version is "not installed", which is a state, not an error.
 */
export interface ResourceKind {
  /** Stable key used in status reports, e.g. `security.istio.io/peerauthentications`. */
  key: string;
  group: string;
  versions: string[];
  plural: string;
  kind: string;
  /** Which mesh or feature the kind belongs to; used to say "Istio is not installed". */
  feature:
    | 'kubernetes'
    | 'istio'
    | 'linkerd'
    | 'external-secrets'
    | 'cert-manager'
    | 'network-policy-api'
    | 'cilium'
    | 'gateway-api';
  /**
   * The engine input the kind feeds; while the kind cannot be read (and no earlier read of it is
   * held) the engine treats that input as unavailable. docs/backend.md "Kinds that cannot be
   * read" lists what depends on each kind.
   */
  input?: EngineInput;
  /** Listed in this namespace only (absent: cluster-wide). */
  namespace?: string;
  /** `labelSelector` of the list. */
  labelSelector?: string;
  /** Which listed items are kept (absent: all); the others are dropped as the page arrives. */
  keep?: (item: unknown) => boolean;
}

const core = (
  plural: string,
  kind: string,
  input?: EngineInput,
): ResourceKind => ({
  key: plural,
  group: '',
  versions: ['v1'],
  plural,
  kind,
  feature: 'kubernetes',
  input,
});

const grouped = (
  group: string,
  versions: string[],
  plural: string,
  kind: string,
  feature: ResourceKind['feature'],
  input?: EngineInput,
): ResourceKind => ({
  key: `${group}/${plural}`,
  group,
  versions,
  plural,
  kind,
  feature,
  input,
});

/** Every kind listed cluster-wide. */
export const LISTED_KINDS: ResourceKind[] = [
  core('namespaces', 'Namespace', 'namespaces'),
  core('pods', 'Pod', 'pods'),
  core('services', 'Service', 'services'),
  core('serviceaccounts', 'ServiceAccount'),
  grouped('apps', ['v1'], 'deployments', 'Deployment', 'kubernetes'),
  grouped('apps', ['v1'], 'statefulsets', 'StatefulSet', 'kubernetes'),
  grouped('apps', ['v1'], 'daemonsets', 'DaemonSet', 'kubernetes'),
  grouped('apps', ['v1'], 'replicasets', 'ReplicaSet', 'kubernetes'),
  grouped('batch', ['v1'], 'jobs', 'Job', 'kubernetes'),
  grouped('batch', ['v1'], 'cronjobs', 'CronJob', 'kubernetes'),
  grouped(
    'networking.k8s.io',
    ['v1'],
    'networkpolicies',
    'NetworkPolicy',
    'kubernetes',
    'networkPolicies',
  ),
  grouped(
    'security.istio.io',
    ['v1', 'v1beta1'],
    'peerauthentications',
    'PeerAuthentication',
    'istio',
    'istioPeerAuthentications',
  ),
  grouped(
    'security.istio.io',
    ['v1', 'v1beta1'],
    'authorizationpolicies',
    'AuthorizationPolicy',
    'istio',
    'istioAuthorizationPolicies',
  ),
  grouped(
    'networking.istio.io',
    ['v1', 'v1beta1'],
    'destinationrules',
    'DestinationRule',
    'istio',
    'istioDestinationRules',
  ),
  grouped(
    'policy.linkerd.io',
    ['v1beta3', 'v1beta2', 'v1beta1'],
    'servers',
    'Server',
    'linkerd',
    'linkerdServers',
  ),
  grouped(
    'policy.linkerd.io',
    ['v1beta1'],
    'serverauthorizations',
    'ServerAuthorization',
    'linkerd',
    'linkerdAuthorizations',
  ),
  grouped(
    'policy.linkerd.io',
    ['v1alpha1'],
    'authorizationpolicies',
    'AuthorizationPolicy',
    'linkerd',
    'linkerdAuthorizations',
  ),
  grouped(
    'policy.linkerd.io',
    ['v1alpha1'],
    'meshtlsauthentications',
    'MeshTLSAuthentication',
    'linkerd',
    'linkerdAuthorizations',
  ),
  grouped(
    'policy.linkerd.io',
    ['v1alpha1'],
    'networkauthentications',
    'NetworkAuthentication',
    'linkerd',
    'linkerdAuthorizations',
  ),
  grouped(
    'policy.linkerd.io',
    ['v1beta3', 'v1beta2', 'v1beta1'],
    'httproutes',
    'HTTPRoute',
    'linkerd',
    'linkerdAuthorizations',
  ),
  // The Gateway API's HTTPRoutes attach to Linkerd Servers too (docs/engine.md, Linkerd
  // HTTPRoutes); only those are kept: a Gateway's or a Service's routes decide no verdict.
  {
    ...grouped(
      'gateway.networking.k8s.io',
      ['v1', 'v1beta1'],
      'httproutes',
      'HTTPRoute',
      'gateway-api',
      'linkerdAuthorizations',
    ),
    keep: item => gatewayRouteOnServer((item as { spec?: unknown })?.spec),
  },
  // Its GRPCRoutes on Linkerd Servers: not modelled, their Servers' pods get "not evaluated".
  {
    ...grouped(
      'gateway.networking.k8s.io',
      ['v1', 'v1alpha2'],
      'grpcroutes',
      'GRPCRoute',
      'gateway-api',
      'linkerdAuthorizations',
    ),
    keep: item => gatewayRouteOnServer((item as { spec?: unknown })?.spec),
  },
  // Istio Sidecars (docs/engine.md "Istio Sidecar"), kept with the kinds below in the
  // snapshot's `unevaluated` list.
  grouped(
    'networking.istio.io',
    ['v1', 'v1beta1'],
    'sidecars',
    'Sidecar',
    'istio',
    'istioSidecars',
  ),
  // Gateway API Gateways: Istio waypoints (docs/engine.md "Ambient waypoints"), kept with the
  // kinds below in the snapshot's `unevaluated` list.
  grouped(
    'gateway.networking.k8s.io',
    ['v1', 'v1beta1'],
    'gateways',
    'Gateway',
    'gateway-api',
    'istioWaypoints',
  ),
  // Kinds the engine does not model but must not ignore (docs/engine.md "Not evaluated").
  grouped(
    'networking.istio.io',
    ['v1', 'v1beta1'],
    'serviceentries',
    'ServiceEntry',
    'istio',
  ),
  grouped(
    'workload.linkerd.io',
    ['v1beta1', 'v1alpha1'],
    'externalworkloads',
    'ExternalWorkload',
    'linkerd',
  ),
  grouped(
    'policy.linkerd.io',
    ['v1alpha1'],
    'egressnetworks',
    'EgressNetwork',
    'linkerd',
  ),
  grouped(
    'policy.networking.k8s.io',
    ['v1alpha1'],
    'adminnetworkpolicies',
    'AdminNetworkPolicy',
    'network-policy-api',
    'adminNetworkPolicies',
  ),
  grouped(
    'policy.networking.k8s.io',
    ['v1alpha1'],
    'baselineadminnetworkpolicies',
    'BaselineAdminNetworkPolicy',
    'network-policy-api',
    'adminNetworkPolicies',
  ),
  grouped(
    'cilium.io',
    ['v2'],
    'ciliumnetworkpolicies',
    'CiliumNetworkPolicy',
    'cilium',
    'ciliumNetworkPolicies',
  ),
  grouped(
    'cilium.io',
    ['v2'],
    'ciliumclusterwidenetworkpolicies',
    'CiliumClusterwideNetworkPolicy',
    'cilium',
    'ciliumNetworkPolicies',
  ),
  grouped(
    'external-secrets.io',
    ['v1', 'v1beta1'],
    'externalsecrets',
    'ExternalSecret',
    'external-secrets',
    'externalSecrets',
  ),
  grouped(
    'cert-manager.io',
    ['v1'],
    'certificates',
    'Certificate',
    'cert-manager',
  ),
];

/**
 * ConfigMaps read by name (get only): mesh configuration and the meshes' public trust roots.
 * Besides these, only the revisioned Istio mesh configs are read
 * ({@link ISTIO_REVISION_CONFIG_MAPS}), and no Secret at all.
 */
export const NAMED_CONFIG_MAPS: Array<{
  namespace: string;
  name: string;
  input?: EngineInput;
}> = [
  { namespace: 'istio-system', name: 'istio', input: 'istioMeshConfig' },
  { namespace: 'istio-system', name: 'istio-ca-root-cert' },
  { namespace: 'linkerd', name: 'linkerd-config', input: 'linkerdMeshConfig' },
  { namespace: 'linkerd', name: 'linkerd-identity-trust-roots' },
];

/** The status key of a ConfigMap read by name. */
export const configMapKey = (namespace: string, name: string) =>
  `configmaps/${namespace}/${name}`;

/**
 * Whether a ConfigMap is a revision's mesh config: in `istio-system`, named `istio-<revision>`
 * (the engine's `istioMeshConfigRevision`) and labelled `istio.io/rev: <revision>`.
 */
function isRevisionMeshConfig(metadata: {
  namespace?: unknown;
  name?: unknown;
  labels?: unknown;
}): boolean {
  const { namespace, name, labels } = metadata;
  const revision =
    typeof labels === 'object' && labels !== null
      ? (labels as Record<string, unknown>)['istio.io/rev']
      : undefined;
  return (
    typeof namespace === 'string' &&
    typeof name === 'string' &&
    revision !== undefined &&
    istioMeshConfigRevision(namespace, name) === revision
  );
}

/**
 * The revisioned Istio mesh configs, ConfigMaps `istio-system/istio-<revision>` (docs/engine.md
 * "Trust domain"): listed in `istio-system` by the label `istio.io/rev` that the istiod chart
 * puts on them (istio/istio `manifests/charts/istio-control/istio-discovery/templates/
 * configmap.yaml`: name `istio-<revision>`, label `istio.io/rev: <revision>`). Only the items
 * named `istio-<label value>` are kept: the label also marks each revision's injector and values
 * ConfigMaps, and `istio` (revision `default`) is read by name.
 */
export const ISTIO_REVISION_CONFIG_MAPS: ResourceKind = {
  key: 'configmaps/istio-system/istio-<revision>',
  group: '',
  versions: ['v1'],
  plural: 'configmaps',
  kind: 'ConfigMap',
  feature: 'istio',
  input: 'istioRevisionMeshConfigs',
  namespace: 'istio-system',
  labelSelector: 'istio.io/rev',
  keep: item =>
    isRevisionMeshConfig((item as { metadata?: object })?.metadata ?? {}),
};

const NAMED_KEYS = new Set(
  NAMED_CONFIG_MAPS.map(ref => configMapKey(ref.namespace, ref.name)),
);
const BY_GROUP_AND_KIND = new Map(
  LISTED_KINDS.map(kind => [`${kind.group}/${kind.kind}`, kind.key]),
);
const INPUTS = new Map<string, EngineInput | undefined>([
  ...[...LISTED_KINDS, ISTIO_REVISION_CONFIG_MAPS].map(
    kind => [kind.key, kind.input] as const,
  ),
  ...NAMED_CONFIG_MAPS.map(
    ref => [configMapKey(ref.namespace, ref.name), ref.input] as const,
  ),
]);

/** The status key of the kind an object read from a cluster belongs to, if Mesh Security reads it. */
export function kindKeyOf(object: unknown): string | undefined {
  const { apiVersion, kind, metadata } = (object ?? {}) as {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: { namespace?: unknown; name?: unknown; labels?: unknown };
  };
  if (typeof apiVersion !== 'string' || typeof kind !== 'string')
    return undefined;
  if (kind === 'ConfigMap' && apiVersion === 'v1') {
    const namespace = String(metadata?.namespace);
    const name = String(metadata?.name);
    const key = configMapKey(namespace, name);
    if (NAMED_KEYS.has(key)) return key;
    return isRevisionMeshConfig(metadata ?? {})
      ? ISTIO_REVISION_CONFIG_MAPS.key
      : key;
  }
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  return BY_GROUP_AND_KIND.get(`${group}/${kind}`);
}

/** The engine input a status key feeds (undefined: nothing the engine decides depends on it). */
export function engineInputOf(key: string): EngineInput | undefined {
  return INPUTS.get(key);
}

/** The list URL path of a kind at a version, cluster-wide or in the kind's namespace. */
export function listPath(kind: ResourceKind, version: string): string {
  const namespaced = kind.namespace ? `/namespaces/${kind.namespace}` : '';
  return kind.group === ''
    ? `/api/${version}${namespaced}/${kind.plural}`
    : `/apis/${kind.group}/${version}${namespaced}/${kind.plural}`;
}

const GROUP_AND_KIND = new Map(
  LISTED_KINDS.map(kind => [kind.key, [kind.group, kind.kind]] as const),
);

/**
 * The snapshot identity (`group`, `kind`, namespace, name joined by NUL, as the backend's
 * `objectIdentity`) of an object a watcher keys as `kindKey NUL namespace NUL name`.
 */
export function identityOfWatchKey(key: string): string {
  const [kindKey, namespace, name] = key.split('\u0000');
  const [group, kind] = kindKey.startsWith('configmaps')
    ? ['', 'ConfigMap']
    : GROUP_AND_KIND.get(kindKey) ?? ['', kindKey];
  return [group, kind, namespace, name].join('\u0000');
}
