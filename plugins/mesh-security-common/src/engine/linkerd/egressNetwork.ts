import { JsonObject } from '../../model';
import { addressSetWithin } from '../core/match';
import { isObject } from '../validate/check';

/*
 * Linkerd EgressNetwork ("EgressNetwork" reference,
 * https://linkerd.io/2-edge/reference/egress-network/): it captures the traffic of the Linkerd
 * clients of its namespace (every namespace's, from the global egress namespace) to the
 * destinations outside the cluster in its `networks` — by default every address outside the
 * cluster networks — and lets through what its `trafficPolicy` and the routes attached to it
 * allow. The policy controller resolves a Service's cluster IP before any EgressNetwork
 * (linkerd2 policy-controller outbound `lookup_ip`), so only a connection to another address
 * of its networks is captured. The engine's callees are the workloads of the snapshot, inside
 * the cluster networks: an EgressNetwork changes a verdict the engine reports only when its
 * `networks` reach into them (docs/engine.md, "Linkerd EgressNetwork").
 */

/**
 * Whether the EgressNetwork's networks may hold an address of the cluster networks (then a
 * client calling a pod by its address may be captured). Unknown cluster networks: it may.
 */
export function egressReachesCluster(
  spec: JsonObject,
  clusterNetworks: string[] | undefined,
): boolean {
  // Without `networks`: everything but the cluster networks ("networks" in the reference).
  if (spec.networks === undefined || spec.networks === null) return false;
  if (!clusterNetworks) return true;
  const networks = Array.isArray(spec.networks) ? spec.networks : [];
  return networks.some(n => {
    if (!isObject(n) || typeof n.cidr !== 'string') return true;
    const except = Array.isArray(n.except)
      ? n.except.filter((e): e is string => typeof e === 'string')
      : [];
    return (
      addressSetWithin(
        { cidrs: [n.cidr], except },
        { cidrs: clusterNetworks },
      ) !== 'no'
    );
  });
}
