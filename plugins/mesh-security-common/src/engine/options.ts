import { Snapshot } from '../model';

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
}

/** Options after applying snapshot values and defaults. */
export interface ResolvedOptions {
  cluster: string;
  rootNamespace: string;
  trustDomain: string;
  linkerdTrustDomain: string;
  linkerdDefaultInboundPolicy: string;
  linkerdClusterNetworks: string[];
}

/** Linkerd's chart default `clusterNetworks`. */
const LINKERD_CLUSTER_NETWORKS = [
  '10.0.0.0/8',
  '100.64.0.0/10',
  '172.16.0.0/12',
  '192.168.0.0/16',
  'fd00::/8',
];

export function resolveOptions(
  snapshot: Snapshot,
  options: EngineOptions = {},
): ResolvedOptions {
  const istio = snapshot.meshConfig?.istio ?? {};
  const linkerd = snapshot.meshConfig?.linkerd ?? {};
  return {
    cluster: options.cluster ?? snapshot.cluster ?? 'default',
    rootNamespace:
      options.rootNamespace ?? istio.rootNamespace ?? 'istio-system',
    trustDomain: options.trustDomain ?? istio.trustDomain ?? 'cluster.local',
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
  };
}
