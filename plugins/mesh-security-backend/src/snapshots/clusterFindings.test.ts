import {
  findingDefinition,
  MeshCertificate,
} from '@mesh-security/plugin-mesh-security-common';
import { certificateFindings, enforcementFindings } from './clusterFindings';

const cert = (
  state: MeshCertificate['state'],
  daysLeft?: number,
): MeshCertificate => ({
  role: 'linkerd-trust-anchor',
  object: {
    kind: 'ConfigMap',
    namespace: 'linkerd',
    name: 'linkerd-identity-trust-roots',
  },
  subject: 'CN=root.linkerd.cluster.local',
  notAfter: '2026-12-13T00:00:00.000Z',
  daysLeft,
  state,
  message: state === 'unknown' ? 'certificate cannot be parsed' : undefined,
});

describe('cluster findings', () => {
  it('raises nothing for a healthy certificate', () => {
    expect(certificateFindings('prod', [cert('ok', 200)])).toEqual([]);
  });

  it.each([
    ['expiring', 20, 'MS420', 'medium'],
    ['expiring', 3, 'MS420', 'high'],
    ['expired', -1, 'MS421', 'critical'],
    ['unknown', undefined, 'MS422', 'low'],
  ] as const)(
    'a %s certificate (%s days) → %s (%s)',
    (state, days, code, severity) => {
      const [finding, ...rest] = certificateFindings('prod', [
        cert(state, days),
      ]);
      expect(rest).toEqual([]);
      expect(finding).toMatchObject({
        code,
        severity,
        object: { cluster: 'prod', namespace: 'linkerd' },
      });
      expect(finding.fix).toBe(findingDefinition(code)!.fix);
    },
  );

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
