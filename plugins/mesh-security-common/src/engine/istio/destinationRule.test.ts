import {
  destinationRule,
  deployment,
  istioPair,
  namespace,
  peerAuthentication,
} from '../../__testUtils__/k8s';
import { engineOf } from '../../__testUtils__/engine';

/*
 * The client-TLS cache shares one entry between client namespaces that have no
 * DestinationRules of their own. These cases hold it to Istio's lookup rules whatever order the
 * questions come in: a rule exported only to its own namespace ('.') applies to clients there,
 * not to clients elsewhere, and a client namespace with its own rule gets that rule.
 */
const objects = [
  ...istioPair(),
  peerAuthentication('shop', 'default', { mtls: { mode: 'STRICT' } }),
  // Visible only inside `shop`: its clients send plaintext to b, which STRICT rejects.
  destinationRule('shop', 'b-plain-local', {
    host: 'b.shop.svc.cluster.local',
    exportTo: ['.'],
    trafficPolicy: { tls: { mode: 'DISABLE' } },
  }),
  namespace('other1', { 'istio-injection': 'enabled' }),
  deployment('other1', 'c'),
  namespace('other2', { 'istio-injection': 'enabled' }),
  deployment('other2', 'd'),
  // `own` has a rule of its own for b: plaintext.
  namespace('own', { 'istio-injection': 'enabled' }),
  deployment('own', 'e'),
  destinationRule('own', 'b-plain', {
    host: 'b.shop.svc.cluster.local',
    trafficPolicy: { tls: { mode: 'DISABLE' } },
  }),
];

const expected: Array<[string, string, 'ALLOW' | 'DENY']> = [
  ['shop', 'a', 'DENY'],
  ['other1', 'c', 'ALLOW'],
  ['own', 'e', 'DENY'],
  ['other2', 'd', 'ALLOW'],
];

describe('client TLS cache', () => {
  it.each([
    ['in order', expected],
    ['reversed', [...expected].reverse()],
    [
      'interleaved',
      [
        expected[1],
        expected[0],
        expected[3],
        expected[2],
        expected[1],
        expected[0],
      ],
    ],
  ])(
    'answers every client namespace by its own rules (%s)',
    (_order, questions) => {
      const engine = engineOf(objects);
      for (const [ns, name, decision] of questions) {
        const result = engine.check({
          from: { namespace: ns, name },
          to: { namespace: 'shop', name: 'b' },
          port: 8080,
        });
        expect(`${ns}/${name}: ${result.decision}`).toBe(
          `${ns}/${name}: ${decision}`,
        );
      }
    },
  );

  it('shares nothing between a caller in the service namespace and callers elsewhere', () => {
    const engine = engineOf(objects);
    const edges = engine.callersOf({ namespace: 'shop', name: 'b' }, 8080);
    const callers = edges
      .map(e =>
        'name' in e.peer ? `${e.peer.namespace}/${e.peer.name}` : e.peer.kind,
      )
      .sort();
    expect(callers).toEqual(expect.arrayContaining(['other1/c', 'other2/d']));
    expect(callers).not.toContain('shop/a');
    expect(callers).not.toContain('own/e');
  });
});

/*
 * DestinationRule reference, `exportTo`: a rule exported to named namespaces applies to clients
 * there and nowhere else (not even its own namespace unless `.` is listed).
 */
describe('exportTo naming namespaces', () => {
  const named = [
    ...istioPair(),
    peerAuthentication('shop', 'default', { mtls: { mode: 'STRICT' } }),
    destinationRule('shop', 'b-plain-other1', {
      host: 'b.shop.svc.cluster.local',
      exportTo: ['other1'],
      trafficPolicy: { tls: { mode: 'DISABLE' } },
    }),
    namespace('other1', { 'istio-injection': 'enabled' }),
    deployment('other1', 'c'),
    namespace('other2', { 'istio-injection': 'enabled' }),
    deployment('other2', 'd'),
  ];

  it.each([
    ['other1', 'c', 'DENY'],
    ['other2', 'd', 'ALLOW'],
    ['shop', 'a', 'ALLOW'],
    ['other1', 'c', 'DENY'],
  ])('%s/%s → shop/b: %s', (ns, name, decision) => {
    const engine = engineOf(named);
    // Ask another namespace first, so a shared cache entry would leak its answer.
    engine.check({
      from: {
        namespace: ns === 'other2' ? 'other1' : 'other2',
        name: ns === 'other2' ? 'c' : 'd',
      },
      to: { namespace: 'shop', name: 'b' },
      port: 8080,
    });
    expect(
      engine.check({
        from: { namespace: ns, name },
        to: { namespace: 'shop', name: 'b' },
        port: 8080,
      }).decision,
    ).toBe(decision);
  });

  it('the access graph agrees: every Istio workload outside other1 calls b', () => {
    const engine = engineOf(named);
    const callers = engine
      .callersOf({ namespace: 'shop', name: 'b' }, 8080)
      .map(e => e.peer);
    // Every Istio workload but other1's (a and d): the rule exported to other1 only.
    expect(callers).toEqual([
      {
        kind: 'any-meshed',
        mesh: 'istio',
        count: 2,
        except: [{ namespace: 'other1' }],
      },
    ]);
  });
});
