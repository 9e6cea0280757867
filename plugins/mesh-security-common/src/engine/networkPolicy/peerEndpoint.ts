import type { CallerContext } from '../core/caller';

/** The pod a peer describes: namespace and labels, or an address outside the cluster. */
export interface PeerEndpoint {
  kind: 'pod' | 'external';
  namespace?: string;
  labels: Record<string, string>;
  nsLabels: Record<string, string>;
  /** The pod's service account (Cilium's `io.cilium.k8s.policy.serviceaccount`). */
  serviceAccount?: string;
  ips?: string[];
  /** A network peer's addresses (see core/caller.ts `network`). */
  network?: CallerContext['network'];
  /** A caller group's representative: its pod labels and IPs are unknown (see core/caller.ts). */
  group?: { consulted: boolean; namespaceUnknown?: boolean };
  /** The pod uses its node's network (AdminNetworkPolicy peers never include it). */
  hostNetwork?: boolean;
}
