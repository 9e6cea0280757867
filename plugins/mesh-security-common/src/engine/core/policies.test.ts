import { engineOf } from '../../__testUtils__/engine';
import {
  authorizationPolicy,
  destinationRule,
  istioPair,
  networkPolicy,
  peerAuthentication,
  serviceEntry,
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

  it('lists the DestinationRules for the hosts of ServiceEntries selecting it', () => {
    const engine = engineOf([
      ...istioPair(),
      serviceEntry('shop', 'b-internal', {
        hosts: ['b.internal'],
        location: 'MESH_INTERNAL',
        ports: [{ number: 9000, targetPort: 8080, name: 'tcp' }],
        resolution: 'STATIC',
        workloadSelector: { labels: { app: 'b' } },
      }),
      destinationRule('shop', 'b-internal', {
        host: 'b.internal',
        trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      }),
      destinationRule('shop', 'elsewhere', {
        host: 'c.internal',
        trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      }),
    ]);
    expect(
      engine
        .policiesFor({ namespace: 'shop', name: 'b' })
        .map(p => `${p.kind}/${p.name}`),
    ).toEqual(['DestinationRule/b-internal']);
  });
});
