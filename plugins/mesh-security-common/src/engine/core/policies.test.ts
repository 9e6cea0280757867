import { engineOf } from '../../__testUtils__/engine';
import {
  authorizationPolicy,
  istioPair,
  networkPolicy,
  peerAuthentication,
} from '../../__testUtils__/k8s';

describe('policiesFor', () => {
  it('lists the policies that apply to a workload as a server, and nothing for others', () => {
    const engine = engineOf([
      ...istioPair(),
      peerAuthentication('istio-system', 'default', {
        mtls: { mode: 'STRICT' },
      }),
      authorizationPolicy('shop', 'b-allow', {
        selector: { matchLabels: { app: 'b' } },
        rules: [{}],
      }),
      authorizationPolicy('shop', 'a-only', {
        selector: { matchLabels: { app: 'a' } },
        rules: [{}],
      }),
      networkPolicy('shop', 'deny', { podSelector: {} }),
    ]);
    expect(
      engine
        .policiesFor({ namespace: 'shop', name: 'b' })
        .map(p => `${p.kind}/${p.name}`),
    ).toEqual([
      'PeerAuthentication/default',
      'AuthorizationPolicy/b-allow',
      'NetworkPolicy/deny',
    ]);
    expect(engine.policiesFor({ namespace: 'shop', name: 'missing' })).toEqual(
      [],
    );
  });
});
