import { IstioMeshConfigValues, Snapshot } from '../../model';

/**
 * An input of the engine that a reader may fail to read (e.g. a Kubernetes list that failed or
 * was forbidden). docs/engine.md "Unavailable inputs" lists what depends on each.
 *
 * @public
 */
export type EngineInput =
  | 'namespaces'
  | 'pods'
  | 'services'
  | 'networkPolicies'
  | 'adminNetworkPolicies'
  | 'ciliumNetworkPolicies'
  | 'externalSecrets'
  | 'istioMeshConfig'
  | 'istioRevisionMeshConfigs'
  | 'istioPeerAuthentications'
  | 'istioAuthorizationPolicies'
  | 'istioDestinationRules'
  | 'istioSidecars'
  | 'istioWaypoints'
  | 'linkerdMeshConfig'
  | 'linkerdServers'
  | 'linkerdAuthorizations';

/**
 * Options of {@link createEngine}. Each value, when given, wins over the mesh configuration read
 * into the snapshot, which wins over the documented defaults.
 *
 * @public
 */
export interface EngineOptions {
  /** Cluster name reported in postures (default: the snapshot's, else `default`). */
  cluster?: string;
  /** Istio root namespace (meshConfig `rootNamespace`, default `istio-system`). */
  rootNamespace?: string;
  /** Istio trust domain (meshConfig `trustDomain`, default `cluster.local`). */
  trustDomain?: string;
  /** Linkerd identity trust domain (default `cluster.local`). */
  linkerdTrustDomain?: string;
  /** Linkerd cluster-wide default inbound policy (default `all-unauthenticated`). */
  linkerdDefaultInboundPolicy?: string;
  /** Linkerd `clusterNetworks` (default the chart's private ranges). */
  linkerdClusterNetworks?: string[];
  /**
   * Namespaces of the platform's own components, meant to run outside the mesh: their workloads
   * raise no mesh-membership findings (MS108, MS110, MS113 for membership) and are marked
   * `platform` in postures, still evaluated. Default: `kube-system`, `kube-public`,
   * `kube-node-lease`, the Istio root namespace, `linkerd`, `cert-manager`.
   */
  platformNamespaces?: string[];
  /**
   * Inputs missing from the snapshot because they could not be read, each with a reason that
   * names what was not read (e.g. the kind and the cluster). Every verdict that depends on one
   * is `UNKNOWN` or cannot be evaluated (access leans to DENY), with that reason; none is
   * guessed from the rest of the snapshot.
   */
  unavailable?: Partial<Record<EngineInput, string>>;
}

/**
 * The Istio mesh config serving a workload: ConfigMap `istio`, or `istio-<revision>` for the
 * workloads of a revision that has one (docs/engine.md "Trust domain").
 */
export interface IstioMeshSettings {
  /** The ConfigMap, e.g. `istio` or `istio-canary`. */
  configMap: string;
  trustDomain: string;
  /** The trust domain, then its `trustDomainAliases`. */
  trustDomains: string[];
  /** `outboundTrafficPolicy.mode` when set. */
  outboundTrafficPolicy?: string;
  /** `enableAutoMtls` (Istio's default true). */
  autoMtls: boolean;
  /** `rootNamespace` (the option, else the ConfigMap's, else `istio-system`). */
  rootNamespace: string;
}

/** Options after applying snapshot values and defaults. */
export interface ResolvedOptions {
  cluster: string;
  rootNamespace: string;
  /** The trust domain of ConfigMap `istio` (or the option). */
  trustDomain: string;
  /** ConfigMap `istio`'s settings. */
  istio: IstioMeshSettings;
  /** ConfigMaps `istio-<revision>`' settings, by revision. */
  istioRevisions: ReadonlyMap<string, IstioMeshSettings>;
  linkerdTrustDomain: string;
  linkerdDefaultInboundPolicy: string;
  linkerdClusterNetworks: string[];
  platformNamespaces: ReadonlySet<string>;
  unavailable: Partial<Record<EngineInput, string>>;
}

/** Linkerd's chart default `clusterNetworks`. */
const LINKERD_CLUSTER_NETWORKS = [
  '10.0.0.0/8',
  '100.64.0.0/10',
  '172.16.0.0/12',
  '192.168.0.0/16',
  'fd00::/8',
];

/** Platform namespaces by default, besides the Istio root namespace. */
const DEFAULT_PLATFORM_NAMESPACES = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'linkerd',
  'cert-manager',
];

export function resolveOptions(
  snapshot: Snapshot,
  options: EngineOptions = {},
): ResolvedOptions {
  const istio = snapshot.meshConfig?.istio ?? {};
  const linkerd = snapshot.meshConfig?.linkerd ?? {};
  // A mesh configuration that could not be read matters only for the values no option gives.
  const { istioMeshConfig, linkerdMeshConfig, ...unavailable } =
    options.unavailable ?? {};
  const rootNamespace =
    options.rootNamespace ?? istio.rootNamespace ?? 'istio-system';
  // Each istiod reads its own ConfigMap; what it leaves unset takes Istio's defaults.
  const settings = (
    configMap: string,
    values: IstioMeshConfigValues,
  ): IstioMeshSettings => {
    const trustDomain =
      options.trustDomain ?? values.trustDomain ?? 'cluster.local';
    return {
      configMap,
      trustDomain,
      trustDomains: [
        ...new Set([trustDomain, ...(values.trustDomainAliases ?? [])]),
      ],
      outboundTrafficPolicy: values.outboundTrafficPolicy,
      autoMtls: values.enableAutoMtls ?? true,
      rootNamespace:
        options.rootNamespace ?? values.rootNamespace ?? 'istio-system',
    };
  };
  const istioSettings = settings('istio', istio);
  return {
    cluster: options.cluster ?? snapshot.cluster ?? 'default',
    rootNamespace,
    trustDomain: istioSettings.trustDomain,
    istio: istioSettings,
    istioRevisions: new Map(
      Object.entries(snapshot.meshConfig?.istioRevisions ?? {}).map(
        ([revision, values]) => [
          revision,
          settings(`istio-${revision}`, values),
        ],
      ),
    ),
    linkerdTrustDomain:
      options.linkerdTrustDomain ?? linkerd.trustDomain ?? 'cluster.local',
    linkerdDefaultInboundPolicy:
      options.linkerdDefaultInboundPolicy ??
      linkerd.defaultInboundPolicy ??
      'all-unauthenticated',
    linkerdClusterNetworks:
      options.linkerdClusterNetworks ??
      linkerd.clusterNetworks ??
      LINKERD_CLUSTER_NETWORKS,
    platformNamespaces: new Set(
      options.platformNamespaces ?? [
        ...DEFAULT_PLATFORM_NAMESPACES,
        rootNamespace,
      ],
    ),
    unavailable: {
      ...unavailable,
      ...(istioMeshConfig && !(options.rootNamespace && options.trustDomain)
        ? { istioMeshConfig }
        : {}),
      ...(linkerdMeshConfig &&
      !(
        options.linkerdTrustDomain &&
        options.linkerdDefaultInboundPolicy &&
        options.linkerdClusterNetworks
      )
        ? { linkerdMeshConfig }
        : {}),
    },
  };
}

/** Why any of `inputs` is unavailable (their reasons joined); undefined when all were read. */
export function unavailableReason(
  options: ResolvedOptions,
  ...inputs: EngineInput[]
): string | undefined {
  const reasons = inputs
    .map(input => options.unavailable[input])
    .filter((reason): reason is string => !!reason);
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

/** The mesh config serving a workload of `revision` (undefined: the default revision). */
export function istioMeshFor(
  options: ResolvedOptions,
  revision: string | undefined,
): IstioMeshSettings {
  return (
    (revision !== undefined
      ? options.istioRevisions.get(revision)
      : undefined) ?? options.istio
  );
}
