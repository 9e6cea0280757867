import { ClusterStatus } from '../../api';
import { Finding, FindingDefinition } from '../../model';
import { isObject, Json } from '../validate/check';
import { makeFinding } from './make';

/*
 * Whether NetworkPolicies are enforced at all. Kubernetes stores NetworkPolicy objects whatever
 * the CNI, but only a network plugin that implements them enforces them ("Network Policies":
 * "Posting NetworkPolicy to the API server for a cluster without a controller that implements
 * it will have no effect"). The common enforcers are recognised by their node agents.
 */

/** MS330: the cluster's network plugin (CNI). */
export const CNI_FINDINGS = {
  notEnforced: {
    code: 'MS330',
    severity: 'high',
    title: 'NetworkPolicies exist but nothing enforces them',
    description:
      'The cluster runs no network plugin known to implement NetworkPolicy (Calico, Cilium, Antrea, Weave, kube-router, Canal, Azure NPM, AWS network policy agent): the API server stores NetworkPolicies, but no traffic is filtered ("Network Policies": without a controller that implements it, a NetworkPolicy has no effect).',
    fix: 'Run a network plugin that implements NetworkPolicy, or enable its policy enforcement.',
  },
} satisfies Record<string, FindingDefinition>;

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

const lookup = (table: Record<string, string>, key: unknown) =>
  typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined;

function containersOf(daemonSet: Json): Json[] {
  const template = isObject(daemonSet.spec) ? daemonSet.spec.template : {};
  const pod = isObject(template) ? template.spec : {};
  const containers = isObject(pod) ? pod.containers : [];
  return Array.isArray(containers) ? containers.filter(isObject) : [];
}

/**
 * Whether the cluster's network plugin enforces NetworkPolicy, from its DaemonSets among the
 * objects. Without an enforcer the answer is `notEnforced` only when `daemonSetsComplete` says
 * the objects hold every DaemonSet of the cluster; otherwise `unknown`.
 *
 * @public
 */
export function detectNetworkPolicyEnforcement(
  objects: unknown[],
  daemonSetsComplete: boolean,
): ClusterStatus['networkPolicyEnforcement'] {
  for (const object of objects) {
    if (
      !isObject(object) ||
      object.kind !== 'DaemonSet' ||
      !isObject(object.metadata)
    )
      continue;
    const { metadata } = object;
    const labels = isObject(metadata.labels) ? metadata.labels : {};
    const byName =
      lookup(ENFORCERS, metadata.name) ?? lookup(ENFORCERS, labels['k8s-app']);
    const byContainer = containersOf(object)
      .map(container => lookup(ENFORCER_CONTAINERS, container.name))
      .find(Boolean);
    const enforcer = byName ?? byContainer;
    if (enforcer) {
      return {
        state: 'enforced',
        enforcer,
        reason: `${enforcer} agent DaemonSet ${metadata.namespace}/${metadata.name} enforces NetworkPolicy`,
      };
    }
  }
  if (!daemonSetsComplete) {
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

/**
 * MS330 when NetworkPolicies exist and nothing enforces them (on the first of them).
 *
 * @public
 */
export function enforcementFindings(
  cluster: string,
  enforcement: ClusterStatus['networkPolicyEnforcement'],
  networkPolicies: Array<{ namespace: string; name: string }>,
): Finding[] {
  if (enforcement.state !== 'notEnforced' || networkPolicies.length === 0)
    return [];
  const first = networkPolicies[0];
  return [
    makeFinding(
      CNI_FINDINGS.notEnforced,
      {
        kind: 'NetworkPolicy',
        namespace: first.namespace,
        name: first.name,
        cluster,
      },
      `${networkPolicies.length} NetworkPolicies exist in cluster ${cluster}, but ${enforcement.reason}: none of them is enforced.`,
    ),
  ];
}
