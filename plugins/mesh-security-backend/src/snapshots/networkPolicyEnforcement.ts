/**
 * Whether NetworkPolicies are enforced at all. Kubernetes stores NetworkPolicy objects whatever
 * the CNI, but only a network plugin that implements them enforces them ("Network Policies":
 * "Posting NetworkPolicy to the API server for a cluster without a controller that implements
 * it will have no effect"). We recognise the common enforcers by their node agents.
 */
export interface NetworkPolicyEnforcement {
  state: 'enforced' | 'notEnforced' | 'unknown';
  /** The recognised enforcer, e.g. `cilium`. */
  enforcer?: string;
  reason: string;
}

/** DaemonSet names (or `k8s-app` labels) of node agents that implement NetworkPolicy. */
const ENFORCERS: Record<string, string> = {
  'calico-node': 'calico',
  cilium: 'cilium',
  'antrea-agent': 'antrea',
  'weave-net': 'weave',
  'kube-router': 'kube-router',
  canal: 'canal',
  'azure-npm': 'azure-npm',
};
/** Containers that add NetworkPolicy enforcement to another CNI's agent (AWS VPC CNI). */
const ENFORCER_CONTAINERS: Record<string, string> = {
  'aws-network-policy-agent': 'aws-network-policy-agent',
};

type Json = Record<string, any>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function detectNetworkPolicyEnforcement(
  objects: unknown[],
  daemonSetsReadable: boolean,
): NetworkPolicyEnforcement {
  for (const obj of objects) {
    if (!isObject(obj) || obj.kind !== 'DaemonSet' || !isObject(obj.metadata))
      continue;
    const labels = isObject(obj.metadata.labels) ? obj.metadata.labels : {};
    const byName = ENFORCERS[obj.metadata.name] ?? ENFORCERS[labels['k8s-app']];
    const containers: Json[] = obj.spec?.template?.spec?.containers ?? [];
    const byContainer = containers
      .map(c => (isObject(c) ? ENFORCER_CONTAINERS[c.name] : undefined))
      .find(Boolean);
    const enforcer = byName ?? byContainer;
    if (enforcer) {
      return {
        state: 'enforced',
        enforcer,
        reason: `${enforcer} agent DaemonSet ${obj.metadata.namespace}/${obj.metadata.name} enforces NetworkPolicy`,
      };
    }
  }
  if (!daemonSetsReadable) {
    return {
      state: 'unknown',
      reason: 'DaemonSets could not be read, so the network plugin is unknown',
    };
  }
  return {
    state: 'notEnforced',
    reason:
      'no known NetworkPolicy enforcer (Calico, Cilium, Antrea, Weave, kube-router, Canal, Azure NPM, AWS network policy agent) runs in the cluster',
  };
}
