import { MTLS_CASES } from '../../__testUtils__/cases/mtls';
import { engineOf } from '../../__testUtils__/engine';
import {
  MTLS_CASES_BY_RULE,
  expectMtlsCase,
} from '../../__testUtils__/mtlsCheck';

describe('mTLS mode per port and per workload', () => {
  it.each(
    MTLS_CASES_BY_RULE['istio/peerAuthentication'].map(
      c => [c.name, c] as const,
    ),
  )('%s', (_name, c) => expect(() => expectMtlsCase(c)).not.toThrow());

  it('runs every mTLS table case beside exactly one rule file', () => {
    const claimed = Object.values(MTLS_CASES_BY_RULE).flat();
    expect(claimed.map(c => c.name).sort()).toEqual(
      MTLS_CASES.map(c => c.name).sort(),
    );
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
