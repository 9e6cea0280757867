import { detectNetworkPolicyEnforcement } from './networkPolicyEnforcement';

const ds = (namespace: string, name: string, extra: object = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { namespace, name },
  spec: { template: { spec: { containers: [{ name }] } } },
  ...extra,
});

describe('detectNetworkPolicyEnforcement', () => {
  it.each([
    ['calico-node', 'calico'],
    ['cilium', 'cilium'],
    ['antrea-agent', 'antrea'],
    ['weave-net', 'weave'],
  ])('recognises %s', (name, enforcer) => {
    expect(
      detectNetworkPolicyEnforcement(
        [ds('kube-system', 'kube-proxy'), ds('kube-system', name)],
        true,
      ),
    ).toMatchObject({
      state: 'enforced',
      enforcer,
    });
  });

  it('recognises an enforcer by its k8s-app label and by the AWS policy agent container', () => {
    const labelled = {
      ...ds('kube-system', 'cni'),
      metadata: {
        namespace: 'kube-system',
        name: 'cni',
        labels: { 'k8s-app': 'cilium' },
      },
    };
    expect(detectNetworkPolicyEnforcement([labelled], true).enforcer).toBe(
      'cilium',
    );
    const aws = {
      ...ds('kube-system', 'aws-node'),
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'aws-node' },
              { name: 'aws-network-policy-agent' },
            ],
          },
        },
      },
    };
    expect(detectNetworkPolicyEnforcement([aws], true).enforcer).toBe(
      'aws-network-policy-agent',
    );
  });

  it('says notEnforced with flannel alone, and unknown when DaemonSets were unreadable', () => {
    expect(
      detectNetworkPolicyEnforcement(
        [ds('kube-flannel', 'kube-flannel-ds')],
        true,
      ).state,
    ).toBe('notEnforced');
    expect(detectNetworkPolicyEnforcement([], false).state).toBe('unknown');
  });
});
