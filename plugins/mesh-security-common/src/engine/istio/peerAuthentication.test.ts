import { MTLS_CASES } from '../../__testUtils__/cases/mtls';
import { engineOf } from '../../__testUtils__/engine';

describe('mTLS mode per port and per workload', () => {
  it.each(MTLS_CASES.map(c => [c.name, c] as const))('%s', (_name, c) => {
    const [namespace, name] = (c.workload ?? 'shop/b').split('/');
    const posture = engineOf(c.objects, c.options).posture({ namespace, name });
    expect(posture.mtls).toBe(c.mtls);
    expect(posture.mesh).toBe(c.mesh ?? posture.mesh);
    for (const [port, mode] of Object.entries(c.ports ?? {})) {
      expect(posture.ports.find(p => p.port === Number(port))?.mtls).toBe(mode);
    }
    // UNKNOWN and DISABLED always say why.
    expect(
      posture.mtls !== 'UNKNOWN' && posture.mtls !== 'DISABLED'
        ? 'n/a'
        : posture.mtlsReason,
    ).toBeTruthy();
  });

  it('derives identities from the trust domain: snapshot mesh config, overridden by options', () => {
    const objects = [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'istio', namespace: 'istio-system' },
        data: {
          mesh: 'trustDomain: corp.example\nrootNamespace: istio-system\n',
        },
      },
      ...MTLS_CASES[0].objects,
    ];
    expect(
      engineOf(objects).posture({ namespace: 'shop', name: 'b' }).identity,
    ).toBe('spiffe://corp.example/ns/shop/sa/b');
    expect(
      engineOf(objects, { trustDomain: 'other.example' }).posture({
        namespace: 'shop',
        name: 'b',
      }).identity,
    ).toBe('spiffe://other.example/ns/shop/sa/b');
  });
});
