import { EngineInput } from '@mesh-security/plugin-mesh-security-common';

/**
 * The Kubernetes resources Mesh Security reads — exactly these, with list/watch only (the
 * shipped ClusterRole in `deploy/rbac.yaml` grants nothing else, and nothing on Secrets).
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
    | 'cilium';
  /**
   * The engine input the kind feeds; while the kind cannot be read (and no earlier read of it is
   * held) the engine treats that input as unavailable. docs/backend.md "Kinds that cannot be
   * read" lists what depends on each kind.
   */
  input?: EngineInput;
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
 * No other ConfigMap is read, and no Secret at all.
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

const BY_GROUP_AND_KIND = new Map(
  LISTED_KINDS.map(kind => [`${kind.group}/${kind.kind}`, kind.key]),
);
const INPUTS = new Map<string, EngineInput | undefined>([
  ...LISTED_KINDS.map(kind => [kind.key, kind.input] as const),
  ...NAMED_CONFIG_MAPS.map(
    ref => [configMapKey(ref.namespace, ref.name), ref.input] as const,
  ),
]);

/** The status key of the kind an object read from a cluster belongs to, if Mesh Security reads it. */
export function kindKeyOf(object: unknown): string | undefined {
  const { apiVersion, kind, metadata } = (object ?? {}) as {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: { namespace?: unknown; name?: unknown };
  };
  if (typeof apiVersion !== 'string' || typeof kind !== 'string')
    return undefined;
  if (kind === 'ConfigMap' && apiVersion === 'v1')
    return configMapKey(String(metadata?.namespace), String(metadata?.name));
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  return BY_GROUP_AND_KIND.get(`${group}/${kind}`);
}

/** The engine input a status key feeds (undefined: nothing the engine decides depends on it). */
export function engineInputOf(key: string): EngineInput | undefined {
  return INPUTS.get(key);
}

/** The list URL path of a kind at a version, cluster-wide. */
export function listPath(kind: ResourceKind, version: string): string {
  return kind.group === ''
    ? `/api/${version}/${kind.plural}`
    : `/apis/${kind.group}/${version}/${kind.plural}`;
}
