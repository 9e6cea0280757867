import { engineOf } from '../__testUtils__/engine';
import {
  Obj,
  adminNetworkPolicy,
  authorizationPolicy,
  ciliumNetworkPolicy,
  deployment,
  destinationRule,
  istioPair,
  namespace,
  networkPolicy,
  peerAuthentication,
  service,
} from '../__testUtils__/k8s';
import { peerLabel } from '../model';
import { createAccessGraph } from './accessGraph';
import { EngineContext } from './core/context';
import { readObjects } from './core/reader';

/*
 * Blocked edges (docs/engine.md, "Blocked edges"): callers configuration intends but a layer
 * rejects, kept apart from the allowed callers.
 */

const strict = peerAuthentication('shop', 'default', {
  mtls: { mode: 'STRICT' },
});
const allowA = authorizationPolicy('shop', 'b-allow-a', {
  selector: { matchLabels: { app: 'b' } },
  action: 'ALLOW',
  rules: [
    { from: [{ source: { principals: ['cluster.local/ns/shop/sa/a'] } }] },
  ],
});
const allowAnyone = authorizationPolicy('shop', 'b-allow-all', {
  selector: { matchLabels: { app: 'b' } },
  action: 'ALLOW',
  rules: [{}],
});
const plaintextRule = destinationRule('shop', 'b-plaintext', {
  host: 'b.shop.svc.cluster.local',
  trafficPolicy: { tls: { mode: 'DISABLE' } },
});
const denyIngress = networkPolicy('shop', 'b-deny-ingress', {
  podSelector: { matchLabels: { app: 'b' } },
  policyTypes: ['Ingress'],
});
const denyEgressOfA = networkPolicy('shop', 'a-deny-egress', {
  podSelector: { matchLabels: { app: 'a' } },
  policyTypes: ['Egress'],
});

const anpDenyShop = adminNetworkPolicy('deny-shop', {
  priority: 10,
  subject: {
    pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'b' } } },
  },
  ingress: [{ name: 'no-shop', action: 'Deny', from: [{ namespaces: {} }] }],
});

const cnpDenyA = ciliumNetworkPolicy('shop', 'b-deny-a', {
  endpointSelector: { matchLabels: { app: 'b' } },
  ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'a' } }] }],
});

const blocked = (objects: Obj[]) =>
  engineOf(objects)
    .blockedCallersOf({ namespace: 'shop', name: 'b' })
    .map(e => [
      peerLabel(e.peer),
      e.port,
      e.blocked?.layer,
      e.blocked?.policy,
      e.blocked?.finding,
    ]);

describe('blocked callers', () => {
  it.each<[string, Obj[], unknown[]]>([
    [
      'a DestinationRule sending plaintext to a STRICT port (MS103)',
      [...istioPair(), strict, allowA, plaintextRule],
      [['shop/a', 8080, 'mtls', 'DestinationRule shop/b-plaintext', 'MS103']],
    ],
    [
      'the same rule without authorization: every client that sees it',
      [...istioPair(), strict, plaintextRule],
      [['shop/a', 8080, 'mtls', 'DestinationRule shop/b-plaintext', 'MS103']],
    ],
    [
      "the target's ingress NetworkPolicy against an explicit ALLOW",
      [...istioPair(), strict, allowA, denyIngress],
      [
        [
          'shop/a',
          8080,
          'network-policy',
          'NetworkPolicy shop/b-deny-ingress',
          undefined,
        ],
      ],
    ],
    [
      // docs/engine.md "AdminNetworkPolicy": the deciding ANP rule is named like a NetworkPolicy.
      "the target's ingress AdminNetworkPolicy Deny against an explicit ALLOW",
      [...istioPair(), strict, allowA, anpDenyShop],
      [
        [
          'shop/a',
          8080,
          'network-policy',
          'AdminNetworkPolicy deny-shop',
          undefined,
        ],
      ],
    ],
    [
      // docs/engine.md "Cilium network policies": a deny rule is named like a NetworkPolicy.
      "the target's ingressDeny CiliumNetworkPolicy against an explicit ALLOW",
      [...istioPair(), strict, allowA, cnpDenyA],
      [
        [
          'shop/a',
          8080,
          'network-policy',
          'CiliumNetworkPolicy shop/b-deny-a',
          undefined,
        ],
      ],
    ],
    [
      'no intent: STRICT rejecting clients outside the mesh',
      [
        ...istioPair(),
        namespace('legacy'),
        deployment('legacy', 'old'),
        strict,
      ],
      [],
    ],
    [
      'no intent: an ALLOW that admits anyone, isolated by NetworkPolicy',
      [...istioPair(), allowAnyone, denyIngress],
      [],
    ],
    [
      "no intent: the client's own egress policy",
      [...istioPair(), allowA, denyEgressOfA],
      [],
    ],
    [
      'nothing blocked when the connection is allowed',
      [...istioPair(), allowA],
      [],
    ],
  ])('%s', (_name, objects, expected) => {
    expect(blocked(objects)).toEqual(expected);
  });

  it('names the AdminNetworkPolicy rule in the blocked reason', () => {
    const [edge] = engineOf([
      ...istioPair(),
      strict,
      allowA,
      anpDenyShop,
    ]).blockedCallersOf({ namespace: 'shop', name: 'b' });
    expect(edge.blocked?.reason).toMatch(
      /AdminNetworkPolicy deny-shop ingress rule "no-shop" denies/,
    );
  });

  it('names the Cilium deny rule in the blocked reason', () => {
    const [edge] = engineOf([
      ...istioPair(),
      strict,
      allowA,
      cnpDenyA,
    ]).blockedCallersOf({ namespace: 'shop', name: 'b' });
    expect(edge.blocked?.reason).toMatch(
      /CiliumNetworkPolicy shop\/b-deny-a spec\.ingressDeny\[0\] denies/,
    );
  });

  it('never lists a blocked caller among the allowed ones', () => {
    const engine = engineOf([...istioPair(), strict, allowA, plaintextRule]);
    const b = { namespace: 'shop', name: 'b' };
    expect(engine.callersOf(b)).toEqual([]);
    expect(engine.calleesOf({ namespace: 'shop', name: 'a' })).toEqual([]);
    expect(
      engine.check({
        from: { namespace: 'shop', name: 'a' },
        to: b,
        port: 8080,
      }).decision,
    ).toBe('DENY');
  });

  it('marks connections to a port named for TLS as TLS', () => {
    const engine = engineOf([
      namespace('istio-system'),
      namespace('shop'),
      deployment('shop', 'a'),
      deployment('shop', 'b', {
        ports: [{ port: 8443, name: 'https-api' }, 9443, 8080],
      }),
      service('shop', 'b', { app: 'b' }, [
        { port: 443, targetPort: 9443, name: 'tls' },
        { port: 80, targetPort: 8080, name: 'http' },
      ]),
    ]);
    expect(
      engine
        .callersOf({ namespace: 'shop', name: 'b' })
        .filter(e => e.peer.kind === 'external-plaintext')
        .map(e => [e.port, e.connection]),
    ).toEqual([
      [8080, 'plaintext'],
      [8443, 'tls'],
      [9443, 'tls'],
    ]);
  });
});

describe('blocked callers asked once the graph is complete', () => {
  it('leave at most 200 targets of infos in the context, and answer as before', () => {
    const others = Array.from({ length: 250 }, (_, i) =>
      deployment('shop', `x${i}`),
    );
    const objects = [
      ...istioPair(),
      strict,
      allowA,
      plaintextRule,
      denyIngress,
      ...others,
    ];
    const { snapshot } = readObjects(objects);
    const ctx = new EngineContext(snapshot, {});
    const graph = createAccessGraph(ctx);
    while (!graph.buildStep(50));
    // The context keeps no infos once the graph is complete (buildStep released them).
    const kept = () =>
      (ctx as unknown as { infos: Map<unknown, unknown> }).infos.size;
    expect(kept()).toBe(0);
    const b = { namespace: 'shop', name: 'b' };
    const list = graph.blockedCallersOf(b);
    expect(list.map(e => peerLabel(e.peer))).toEqual(['shop/a']);
    expect(list).toEqual(engineOf(objects).blockedCallersOf(b));
    expect(kept()).toBeGreaterThan(0);
    // Every 200 lists computed, the context forgets what it kept for them.
    for (let i = 0; i < 198; i++)
      graph.blockedCallersOf({ namespace: 'shop', name: `x${i}` });
    expect(kept()).toBeGreaterThan(0);
    graph.blockedCallersOf({ namespace: 'shop', name: 'x198' });
    expect(kept()).toBe(0);
    // A list asked again is not computed again.
    graph.blockedCallersOf(b);
    expect(kept()).toBe(0);
  });
});

describe('blocked callers of targets that answer alike', () => {
  // Six workers of one caller group, each meant to be called by `a` and by the other workers,
  // each isolated by the same NetworkPolicy.
  const workers = Array.from({ length: 6 }, (_, i) =>
    deployment('shop', `w${i}`, { labels: { tier: 'worker' }, sa: 'worker' }),
  );
  const objects = [
    ...istioPair(),
    strict,
    ...workers,
    authorizationPolicy('shop', 'workers-allow', {
      selector: { matchLabels: { tier: 'worker' } },
      action: 'ALLOW',
      rules: [
        {
          from: [
            {
              source: {
                principals: [
                  'cluster.local/ns/shop/sa/a',
                  'cluster.local/ns/shop/sa/worker',
                ],
              },
            },
          ],
        },
      ],
    }),
    networkPolicy('shop', 'workers-deny-ingress', {
      podSelector: { matchLabels: { tier: 'worker' } },
      policyTypes: ['Ingress'],
    }),
  ];

  it('share one list, each without itself', () => {
    const { snapshot } = readObjects(objects);
    const graph = createAccessGraph(new EngineContext(snapshot, {}));
    const labels = (name: string) =>
      graph
        .blockedCallersOf({ namespace: 'shop', name })
        .map(e => [peerLabel(e.peer), e.port, e.blocked?.policy]);
    for (let i = 0; i < 6; i++)
      expect(labels(`w${i}`)).toEqual(
        ['a', ...workers.map((_, j) => `w${j}`).filter(w => w !== `w${i}`)]
          .sort()
          .map(name => [
            `shop/${name}`,
            8080,
            'NetworkPolicy shop/workers-deny-ingress',
          ]),
      );
    expect(graph.stats().blockedLists).toBe(1);
  });

  it('are answered again without computing any workload info', () => {
    // Each target's name and port protocol are applied per query: the protocol needs only
    // which mesh serves the target, not its info (a view asks for every workload's list).
    const { snapshot } = readObjects(objects);
    const ctx = new EngineContext(snapshot, {});
    const graph = createAccessGraph(ctx);
    while (!graph.buildStep(50));
    const first = graph.blockedCallersOf({ namespace: 'shop', name: 'w0' });
    const info = jest.spyOn(ctx, 'info');
    expect(graph.blockedCallersOf({ namespace: 'shop', name: 'w0' })).toEqual(
      first,
    );
    expect(first.map(e => e.protocol)).toEqual(first.map(() => 'TCP'));
    expect(info).not.toHaveBeenCalled();
  });
});
