import { Finding } from '../../model';
import { concernsMeshes, findingNamespace, findingScope } from './scope';

const finding = (
  code: string,
  kind: string,
  namespace: string,
  name: string,
): Finding => ({
  code,
  severity: 'medium',
  message: '',
  fix: '',
  object: { kind, namespace, name, cluster: 'c' },
});

describe('findingScope', () => {
  it('puts the network plugin and trust roots on the platform', () => {
    expect(
      findingScope(finding('MS330', 'DaemonSet', 'kube-system', 'x')),
    ).toBe('cluster');
    expect(findingScope(finding('MS421', 'ConfigMap', 'linkerd', 'r'))).toBe(
      'cluster',
    );
  });

  it('gives a component its workloads and the policies applying to them', () => {
    expect(findingScope(finding('MS108', 'Deployment', 'shop', 'a'))).toBe(
      'workload',
    );
    const policy = finding('MS203', 'AuthorizationPolicy', 'shop', 'allow-a');
    expect(findingScope(policy)).toBe('namespace');
    expect(
      findingScope(policy, [
        { kind: 'AuthorizationPolicy', namespace: 'shop', name: 'allow-a' },
      ]),
    ).toBe('workload');
  });

  it('groups a namespace finding under the namespace it names', () => {
    const ns = finding('MS302', 'Namespace', '', 'shop');
    expect(findingScope(ns)).toBe('namespace');
    expect(findingNamespace(ns)).toBe('shop');
  });
});

describe('concernsMeshes', () => {
  const linkerdRoot = finding(
    'MS421',
    'ConfigMap',
    'linkerd',
    'linkerd-identity-trust-roots',
  );
  const istioRoot = finding(
    'MS420',
    'ConfigMap',
    'istio-system',
    'istio-ca-root-cert',
  );

  it('gives a trust root to the components of its mesh only', () => {
    expect(concernsMeshes(linkerdRoot, ['linkerd'])).toBe(true);
    expect(concernsMeshes(linkerdRoot, ['istio-sidecar'])).toBe(false);
    expect(concernsMeshes(linkerdRoot, ['none'])).toBe(false);
    expect(concernsMeshes(istioRoot, ['istio-ambient'])).toBe(true);
    expect(concernsMeshes(istioRoot, ['linkerd', 'none'])).toBe(false);
  });

  it('gives the network plugin to every component', () => {
    expect(
      concernsMeshes(finding('MS330', 'DaemonSet', 'kube-system', 'x'), [
        'none',
      ]),
    ).toBe(true);
  });
});
