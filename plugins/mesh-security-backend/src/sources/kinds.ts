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
    | 'cert-manager';
}

const core = (plural: string, kind: string): ResourceKind => ({
  key: plural,
  group: '',
  versions: ['v1'],
  plural,
  kind,
  feature: 'kubernetes',
});

const grouped = (
  group: string,
  versions: string[],
  plural: string,
  kind: string,
  feature: ResourceKind['feature'],
): ResourceKind => ({
  key: `${group}/${plural}`,
  group,
  versions,
  plural,
  kind,
  feature,
});

/** Every kind listed cluster-wide. */
export const LISTED_KINDS: ResourceKind[] = [
  core('namespaces', 'Namespace'),
  core('pods', 'Pod'),
  core('services', 'Service'),
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
  ),
  grouped(
    'security.istio.io',
    ['v1', 'v1beta1'],
    'peerauthentications',
    'PeerAuthentication',
    'istio',
  ),
  grouped(
    'security.istio.io',
    ['v1', 'v1beta1'],
    'authorizationpolicies',
    'AuthorizationPolicy',
    'istio',
  ),
  grouped(
    'networking.istio.io',
    ['v1', 'v1beta1'],
    'destinationrules',
    'DestinationRule',
    'istio',
  ),
  grouped(
    'policy.linkerd.io',
    ['v1beta3', 'v1beta2', 'v1beta1'],
    'servers',
    'Server',
    'linkerd',
  ),
  grouped(
    'policy.linkerd.io',
    ['v1beta1'],
    'serverauthorizations',
    'ServerAuthorization',
    'linkerd',
  ),
  grouped(
    'policy.linkerd.io',
    ['v1alpha1'],
    'authorizationpolicies',
    'AuthorizationPolicy',
    'linkerd',
  ),
  grouped(
    'policy.linkerd.io',
    ['v1alpha1'],
    'meshtlsauthentications',
    'MeshTLSAuthentication',
    'linkerd',
  ),
  grouped(
    'policy.linkerd.io',
    ['v1alpha1'],
    'networkauthentications',
    'NetworkAuthentication',
    'linkerd',
  ),
  grouped(
    'policy.linkerd.io',
    ['v1beta3', 'v1beta2', 'v1beta1'],
    'httproutes',
    'HTTPRoute',
    'linkerd',
  ),
  grouped(
    'external-secrets.io',
    ['v1', 'v1beta1'],
    'externalsecrets',
    'ExternalSecret',
    'external-secrets',
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
export const NAMED_CONFIG_MAPS: Array<{ namespace: string; name: string }> = [
  { namespace: 'istio-system', name: 'istio' },
  { namespace: 'istio-system', name: 'istio-ca-root-cert' },
  { namespace: 'linkerd', name: 'linkerd-config' },
  { namespace: 'linkerd', name: 'linkerd-identity-trust-roots' },
];

/** The status key of a ConfigMap read by name. */
export const configMapKey = (namespace: string, name: string) =>
  `configmaps/${namespace}/${name}`;

/** The list URL path of a kind at a version, cluster-wide. */
export function listPath(kind: ResourceKind, version: string): string {
  return kind.group === ''
    ? `/api/${version}/${kind.plural}`
    : `/apis/${kind.group}/${version}/${kind.plural}`;
}
