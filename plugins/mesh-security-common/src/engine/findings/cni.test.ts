import { detectNetworkPolicyEnforcement, enforcementFindings } from './cni';

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

  it('ignores what is not a DaemonSet agent, and a name that is an object property', () => {
    expect(
      detectNetworkPolicyEnforcement(
        [
          ds('kube-system', 'constructor'),
          { kind: 'DaemonSet', metadata: { name: 'x' }, spec: { template: 1 } },
          { kind: 'Deployment', metadata: { name: 'cilium' } },
          'cilium',
        ],
        true,
      ).state,
    ).toBe('notEnforced');
  });
});

describe('enforcementFindings', () => {
  it('raises MS330 only when NetworkPolicies exist and nothing enforces them', () => {
    const policies = [{ namespace: 'payments', name: 'default-deny' }];
    const none = { state: 'notEnforced' as const, reason: 'no known enforcer' };
    expect(
      enforcementFindings('prod', none, policies).map(f => f.code),
    ).toEqual(['MS330']);
    expect(enforcementFindings('prod', none, [])).toEqual([]);
    expect(
      enforcementFindings(
        'prod',
        { state: 'enforced', enforcer: 'cilium', reason: '' },
        policies,
      ),
    ).toEqual([]);
    expect(
      enforcementFindings(
        'prod',
        { state: 'unknown', reason: 'DaemonSets unreadable' },
        policies,
      ),
    ).toEqual([]);
  });
});
