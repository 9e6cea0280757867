import { engineOf } from '../../__testUtils__/engine';
import {
  authorizationPolicy,
  deployment,
  istioPair,
  namespace,
  peerAuthentication,
  waypointGateway,
} from '../../__testUtils__/k8s';
import {
  counts,
  flow,
  fromIdentity,
  fromUnknown,
  fromWorkload,
  observations,
} from '../../__testUtils__/traffic';
import {
  AccessEdge,
  OBSERVED_PORT_LIMIT,
  observedSourceLabel,
  peerLabel,
} from '../../model';

const estate = [
  ...istioPair(),
  deployment('shop', 'c'),
  namespace('legacy'),
  deployment('legacy', 'old'),
];
const b = { namespace: 'shop', name: 'b' };

describe('traffic join: per workload and port', () => {
  it('sums every source per port, with the mTLS share, plaintext sources and last seen', () => {
    const join = engineOf(estate).traffic(
      observations([
        flow('shop/b', fromWorkload('shop', 'a'), counts(90, 0), {
          port: 8080,
          lastSeen: '2026-12-01T09:00:00Z',
        }),
        flow('shop/b', fromWorkload('legacy', 'old'), counts(0, 10), {
          port: 8080,
          lastSeen: '2026-12-01T09:30:00Z',
        }),
        flow('shop/b', fromUnknown, counts(0, 5), { port: 8080 }),
      ]),
    );
    const t = join.workload(b)!;
    expect(t.observable).toBe(true);
    expect(t.portsTold).toBe(true);
    expect(t.ports).toHaveLength(1);
    const p = t.ports[0];
    expect(p).toMatchObject({
      port: 8080,
      mtls: 'PERMISSIVE',
      evidence: counts(90, 15),
      mtlsShare: { recent: 90 / 105, evidence: 90 / 105 },
      plaintextSourceCount: 2,
      sourceCount: 3,
      lastSeen: '2026-12-01T10:00:00Z',
    });
    expect(p.plaintextSources.map(observedSourceLabel)).toEqual([
      'legacy/old',
      'outside the mesh / unknown',
    ]);
  });

  it("lists a plaintext source with all its flows' counts, and counts the mTLS-only sources", () => {
    const join = engineOf(estate).traffic(
      observations([
        // `legacy/old`'s first flow is mTLS only; its second, plaintext, makes it listed.
        flow('shop/b', fromWorkload('legacy', 'old'), counts(4, 0), {
          port: 8080,
        }),
        flow('shop/b', fromWorkload('shop', 'a'), counts(5, 0), { port: 8080 }),
        flow('shop/b', fromWorkload('legacy', 'old'), counts(0, 6), {
          port: 8080,
        }),
        flow('shop/b', fromWorkload('shop', 'c'), counts(7, 0), { port: 8080 }),
      ]),
    );
    const p = join.workload(b)!.ports[0];
    expect(p).toMatchObject({
      evidence: counts(16, 6),
      plaintextSourceCount: 1,
      sourceCount: 3,
    });
    expect(p.plaintextSources).toEqual([
      expect.objectContaining({
        workload: expect.objectContaining({ namespace: 'legacy', name: 'old' }),
        evidence: counts(4, 6),
      }),
    ]);
  });

  it('one entry for every port when the metrics of its mesh carry no ports', () => {
    const join = engineOf(estate).traffic(
      observations([flow('shop/b', fromWorkload('shop', 'a'), counts(3, 0))]),
    );
    const t = join.workload(b)!;
    expect(t.portsTold).toBe(false);
    expect(t.ports).toEqual([
      expect.objectContaining({ mtls: 'PERMISSIVE', evidence: counts(3, 0) }),
    ]);
    expect(t.ports[0].port).toBeUndefined();
  });

  it(`lists at most ${OBSERVED_PORT_LIMIT} undeclared ports, the rest one entry per mode: nothing lost`, () => {
    // b declares 8080; traffic to 25 undeclared ports 9001…9025, less on each next one (a port
    // scan would add thousands). 9023 is STRICT by a port-level PeerAuthentication.
    const flows = [
      flow('shop/b', fromWorkload('shop', 'a'), counts(100, 0), { port: 8080 }),
    ];
    for (let i = 1; i <= 25; i++)
      flows.push(
        flow(
          'shop/b',
          fromWorkload('legacy', 'old'),
          i === 25 ? counts(70, 5) : counts(100 - i, 0),
          { port: 9000 + i },
        ),
      );
    const portLevel = peerAuthentication('shop', 'b', {
      selector: { matchLabels: { app: 'b' } },
      portLevelMtls: { 9023: { mode: 'STRICT' } },
    });
    const engine = engineOf([...estate, portLevel]);
    const join = engine.traffic(observations(flows));
    const t = join.workload(b)!;
    expect(t.ports.map(p => p.port ?? p.otherPorts)).toEqual([
      8080,
      ...Array.from({ length: 20 }, (_, i) => 9001 + i),
      { count: 1, lowest: 9023, highest: 9023, withPlaintext: 0 },
      { count: 4, lowest: 9021, highest: 9025, withPlaintext: 1 },
    ]);
    const [strict, permissive] = t.ports.slice(21);
    expect(permissive).toMatchObject({
      mtls: 'PERMISSIVE',
      evidence: counts(79 + 78 + 76 + 70, 5),
      plaintextSourceCount: 1,
      sourceCount: 1,
    });
    expect(strict).toMatchObject({ mtls: 'STRICT', evidence: counts(77, 0) });
    const sum = (list: { evidence: { mtls: number; plaintext: number } }[]) =>
      list.reduce((n, x) => n + x.evidence.mtls + x.evidence.plaintext, 0);
    expect(sum(t.ports)).toBe(sum(flows));

    // The findings follow the entries: one per entry, none per folded port.
    const findings = join.findings(b);
    expect(findings).toHaveLength(22);
    expect(
      findings.filter(f => f.code === 'MS502').map(f => f.message),
    ).toEqual([
      expect.stringMatching(
        /^4 other ports \(9021–9025\) not declared of Deployment shop\/b are PERMISSIVE and received 5 plaintext/,
      ),
    ]);

    // With no more undeclared ports than the limit, each has its entry.
    const few = engine.traffic(observations(flows.slice(0, 21))).workload(b)!;
    expect(few.ports.map(p => p.port)).toEqual([
      8080,
      ...Array.from({ length: 20 }, (_, i) => 9001 + i),
    ]);
    expect(few.ports.some(p => p.otherPorts)).toBe(false);
  });

  it('a workload without a proxy is not observable: no traffic says nothing', () => {
    const join = engineOf(estate).traffic(observations([]));
    expect(join.workload({ namespace: 'legacy', name: 'old' })).toMatchObject({
      observable: false,
      reason: expect.stringContaining('no mesh proxy'),
    });
    expect(
      join
        .callers({ namespace: 'legacy', name: 'old' })!
        .edges.map(e => e.status),
    ).toEqual(expect.arrayContaining(['unknown']));
  });

  it.each(['unavailable', 'not-configured'] as const)(
    'observations %s: no answer and no finding, nothing guessed',
    status => {
      const join = engineOf(estate).traffic(
        observations(
          [flow('shop/b', fromUnknown, counts(0, 5), { port: 8080 })],
          { status },
        ),
      );
      expect(join.usable).toBe(false);
      expect(join.workload(b)).toBeUndefined();
      expect(join.callers(b)).toBeUndefined();
      expect(join.findings(b)).toEqual([]);
    },
  );

  it('flows to workloads not in the snapshot are counted apart', () => {
    const join = engineOf(estate).traffic(
      observations([flow('shop/gone', fromUnknown, counts(1, 1))]),
    );
    expect(join.unknownTargets).toBe(1);
  });

  it('joins the same observations with each generation against its own workloads', () => {
    const seen = observations([
      flow('shop/gone', fromWorkload('shop', 'a'), counts(3, 0), {
        port: 8080,
      }),
      flow('shop/b', fromWorkload('shop', 'gone'), counts(0, 2), {
        port: 8080,
      }),
    ]);
    const before = engineOf(estate).traffic(seen);
    expect(before.unknownTargets).toBe(1);
    expect(before.callees({ namespace: 'shop', name: 'a' })!.unmatched).toEqual(
      [],
    );
    // The next generation has `shop/gone`: the flows to and from it are its.
    const after = engineOf([...estate, deployment('shop', 'gone')]).traffic(
      seen,
    );
    expect(after.unknownTargets).toBe(0);
    expect(
      after
        .callees({ namespace: 'shop', name: 'a' })!
        .unmatched.concat(
          after.callees({ namespace: 'shop', name: 'a' })!.edges,
        )
        .reduce((n, t) => n + t.evidence.mtls, 0),
    ).toBe(3);
    expect(
      after.workload(b)!.ports[0].plaintextSources.map(observedSourceLabel),
    ).toEqual(['shop/gone']);
    expect(
      before.workload(b)!.ports[0].plaintextSources.map(observedSourceLabel),
    ).toEqual(['shop/gone (not in the snapshot)']);
  });

  it("reads only the flows of the workloads asked about, once the observations' flows are grouped", () => {
    const flows = [];
    for (let i = 0; i < 100; i++)
      flows.push(
        flow(`shop/${i % 2 ? 'b' : 'c'}`, fromWorkload('shop', 'a'), counts(1)),
        flow(`legacy/old`, fromWorkload('shop', 'c'), counts(1)),
      );
    let reads = 0;
    const counted = new Proxy(flows, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const seen = observations(counted);
    engineOf(estate).traffic(seen).workload(b);
    const grouping = reads;
    expect(grouping).toBeGreaterThanOrEqual(200);
    // A later generation (here: the same objects read again) joins the same observations.
    reads = 0;
    const join = engineOf(estate).traffic(seen);
    expect(reads).toBe(0);
    expect(join.workload(b)!.ports[0].evidence.mtls).toBe(50);
    expect(reads).toBe(50);
  });
});

describe('traffic join: per edge', () => {
  const allowA = authorizationPolicy('shop', 'allow-a', {
    selector: { matchLabels: { app: 'b' } },
    rules: [
      { from: [{ source: { principals: ['cluster.local/ns/shop/sa/a'] } }] },
    ],
  });
  const allowAandC = authorizationPolicy('shop', 'allow-ac', {
    selector: { matchLabels: { app: 'b' } },
    rules: [
      {
        from: [
          {
            source: {
              principals: [
                'cluster.local/ns/shop/sa/a',
                'cluster.local/ns/shop/sa/c',
              ],
            },
          },
        ],
      },
    ],
  });

  it('without policies: meshed sources land on the summary edge, unknown plaintext on the external edge', () => {
    const engine = engineOf(estate);
    const edges = engine.callersOf(b);
    const result = engine
      .traffic(
        observations([
          flow('shop/b', fromWorkload('shop', 'a'), counts(5, 0), {
            port: 8080,
          }),
          flow('shop/b', fromUnknown, counts(0, 2), { port: 8080 }),
        ]),
      )
      .callers(b, edges)!;
    expect(
      edges.map((e, i) => [peerLabel(e.peer), result.edges[i].status]),
    ).toEqual([
      ['Any Istio workload (2)', 'used'],
      ['legacy/old', 'unused'],
      ['External (plaintext)', 'used'],
    ]);
    expect(result.edges[0].evidence).toEqual(counts(5, 0));
    expect(result.edges[2].evidence).toEqual(counts(0, 2));
    expect(result.unmatched).toEqual([]);
  });

  it('an unknown source goes to the external edge before one outside the mesh, whatever the order', () => {
    const engine = engineOf(estate);
    const external = engine
      .callersOf(b)
      .find(e => e.peer.kind === 'external-plaintext')!;
    const outside = {
      ...external,
      peer: { kind: 'outside-mesh' as const, mesh: 'istio' as const, count: 1 },
    };
    const result = engine
      .traffic(
        observations([
          flow('shop/b', fromUnknown, counts(0, 2), { port: external.port }),
        ]),
      )
      .callers(b, [outside, external])!;
    expect(result.edges.map(e => e.status)).toEqual(['unused', 'used']);
    expect(result.edges[1].evidence).toEqual(counts(0, 2));
  });

  it('matches an Istio SPIFFE identity to its workload, as the engine derives it', () => {
    const engine = engineOf([...estate, allowA]);
    const edges = engine.callersOf(b);
    const result = engine
      .traffic(
        observations([
          flow(
            'shop/b',
            fromIdentity('spiffe://cluster.local/ns/shop/sa/a'),
            counts(7, 0),
            { port: 8080 },
          ),
        ]),
      )
      .callers(b, edges)!;
    expect(edges.map(e => peerLabel(e.peer))).toEqual(['shop/a']);
    expect(result.edges[0]).toMatchObject({
      status: 'used',
      evidence: counts(7, 0),
      sources: [
        expect.objectContaining({
          workload: { namespace: 'shop', name: 'a', kind: 'Deployment' },
        }),
      ],
    });
  });

  it('matches a Linkerd identity to its workload', () => {
    const linkerd = [
      namespace('web', {}, { 'linkerd.io/inject': 'enabled' }),
      deployment('web', 'front'),
      deployment('web', 'api'),
    ];
    const join = engineOf(linkerd).traffic(
      observations([
        flow(
          'web/api',
          fromIdentity(
            'front.web.serviceaccount.identity.linkerd.cluster.local',
          ),
          counts(4, 0),
          { port: 8080, mesh: 'linkerd' },
        ),
      ]),
    );
    const t = join.workload({ namespace: 'web', name: 'api' })!;
    expect(t.ports[0].sourceCount).toBe(1);
    expect(
      join
        .callees({ namespace: 'web', name: 'front' })!
        .edges.map(e => e.status),
    ).toContain('used');
  });

  it('statuses: used, unused (least-privilege candidate), denied (refused, or accepted from a workload now denied), outside any grant', () => {
    const engine = engineOf([...estate, allowAandC]);
    const edges = engine.callersOf(b);
    expect(edges.map(e => peerLabel(e.peer))).toEqual(['shop/a', 'shop/c']);
    const result = engine
      .traffic(
        observations([
          flow('shop/b', fromWorkload('shop', 'a'), counts(5, 0), {
            port: 8080,
          }),
          flow('shop/b', fromWorkload('legacy', 'old'), counts(0, 0, 3), {
            port: 8080,
          }),
          flow(
            'shop/b',
            fromIdentity('spiffe://cluster.local/ns/other/sa/x'),
            counts(2, 0),
            { port: 8080 },
          ),
        ]),
      )
      .callers(b, edges)!;
    expect(result.edges.map(e => e.status)).toEqual(['used', 'unused']);
    expect(
      result.unmatched.map(u => [u.port, u.status, u.sources.length]),
    ).toEqual([
      [8080, 'denied', 1],
      [8080, 'outside-grant', 1],
    ]);
  });

  describe("an Istio waypoint's hop", () => {
    // shop is ambient and uses the waypoint `waypoint`: the destination's ztunnel reports the
    // waypoint as the source of every connection it forwards; the waypoint reports the clients.
    const ambient = (...more: ReturnType<typeof deployment>[]) =>
      engineOf([
        namespace('shop', {
          'istio.io/dataplane-mode': 'ambient',
          'istio.io/use-waypoint': 'waypoint',
        }),
        deployment('shop', 'a'),
        deployment('shop', 'b'),
        waypointGateway('shop', 'waypoint'),
        ...more,
      ]);
    /** Reported by the waypoint: the client; by b's ztunnel: the waypoint's hop, as `hop`. */
    const traffic = (hop: string) =>
      observations([
        flow('shop/b', fromWorkload('shop', 'a'), counts(40, 0)),
        flow('shop/b', fromWorkload('shop', hop), counts(12, 0), {
          protocol: 'tcp',
        }),
      ]);

    it.each([
      [
        "the waypoint's Deployment, by the label istiod gives its pods",
        'waypoint-deploy',
        ambient(
          deployment('shop', 'waypoint-deploy', {
            labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' },
          }),
        ),
      ],
      [
        'a Deployment the snapshot does not hold (manifests), by its Gateway',
        'waypoint',
        ambient(),
      ],
    ])('is no caller of its own: %s', (_name, hop, engine) => {
      const join = engine.traffic(traffic(hop));
      const callers = join.callers(b)!;
      expect(
        [...callers.edges, ...callers.unmatched].flatMap(t =>
          t.sources.map(observedSourceLabel),
        ),
      ).toEqual(['shop/a']);
      expect(callers.unmatched).toEqual([]);
      expect(join.workload(b)!.ports.map(p => p.evidence)).toEqual([
        counts(40, 0),
      ]);
    });

    it('a workload that only shares a Gateway of another class is a caller', () => {
      const engine = engineOf([
        namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
        deployment('shop', 'b'),
        waypointGateway('shop', 'ingress', { gatewayClassName: 'istio' }),
        deployment('shop', 'ingress', {
          labels: { 'gateway.networking.k8s.io/gateway-name': 'ingress' },
        }),
      ]);
      const join = engine.traffic(
        observations([
          flow('shop/b', fromWorkload('shop', 'ingress'), counts(3, 0)),
        ]),
      );
      expect(join.workload(b)!.ports.map(p => p.evidence)).toEqual([
        counts(3, 0),
      ]);
    });
  });

  it('an identity several workloads share is attributed only when every one of them is on the same edge', () => {
    const shared = [
      ...istioPair(),
      deployment('shop', 'c', { sa: 'a' }),
      authorizationPolicy('shop', 'allow-a', {
        selector: { matchLabels: { app: 'b' } },
        rules: [{ to: [{ operation: { ports: ['8080'] } }] }],
      }),
    ];
    const engine = engineOf(shared);
    const result = engine
      .traffic(
        observations([
          flow(
            'shop/b',
            fromIdentity('spiffe://cluster.local/ns/shop/sa/a'),
            counts(1, 0),
            { port: 8080 },
          ),
        ]),
      )
      .callers(b)!;
    const used = result.edges.filter(e => e.status === 'used');
    expect(used).toHaveLength(1);
    expect(used[0].sources[0]).toMatchObject({ candidates: 2 });
  });

  it('traffic to a port the workload does not declare is not called denied', () => {
    const engine = engineOf([...estate, allowA]);
    const result = engine
      .traffic(
        observations([
          flow('shop/b', fromUnknown, counts(0, 3), { port: 15020 }),
        ]),
      )
      .callers(b)!;
    expect(result.unmatched.map(u => [u.port, u.status])).toEqual([
      [15020, 'unknown'],
    ]);
    expect(
      engine
        .traffic(
          observations([
            flow('shop/b', fromUnknown, counts(0, 3), { port: 15020 }),
          ]),
        )
        .findings(b)
        .map(f => f.code),
    ).not.toContain('MS506');
  });

  it('an unused edge says unknown when the metrics were truncated', () => {
    const engine = engineOf([...estate, allowA]);
    const result = engine
      .traffic(observations([], { truncated: true }))
      .callers(b)!;
    expect(result.edges.map(e => e.status)).toEqual(['unknown']);
  });

  it('without ports, the counts of a peer are shared by its edges and flagged', () => {
    const twoPorts = [...istioPair('shop', { ports: [8080, 9090] }), allowA];
    const engine = engineOf(twoPorts);
    const edges = engine.callersOf(b);
    const result = engine
      .traffic(
        observations([flow('shop/b', fromWorkload('shop', 'a'), counts(6, 0))]),
      )
      .callers(b, edges)!;
    expect(edges.map(e => e.port)).toEqual([8080, 9090]);
    expect(
      result.edges.map(e => [e.status, e.portsTold, e.evidence.mtls]),
    ).toEqual([
      ['used', false, 6],
      ['used', false, 6],
    ]);
  });

  it('callees: traffic from the workload along its callee edges', () => {
    const engine = engineOf(estate);
    const a = { namespace: 'shop', name: 'a' };
    const edges = engine.calleesOf(a);
    const result = engine
      .traffic(
        observations([
          flow('shop/b', fromWorkload('shop', 'a'), counts(5, 0), {
            port: 8080,
          }),
        ]),
      )
      .callees(a, edges)!;
    const used = edges.filter((_, i) => result.edges[i].status === 'used');
    expect(used.map(e => peerLabel(e.peer))).toEqual([
      expect.stringMatching(/Istio|shop\/b/),
    ]);
    // The source of every callee edge is the workload itself: counted, not listed.
    const traffic = result.edges.find(t => t.status === 'used')!;
    expect(traffic.sources).toEqual([]);
    expect(traffic.sourceCount).toBe(1);
    expect(traffic.evidence.mtls).toBe(5);
  });

  it('callees no edge allows: a group per workload called, port and status, in the order first sent', () => {
    const engine = engineOf([...estate, allowA]);
    const c = { namespace: 'shop', name: 'c' };
    const sent = (port: number, n: number) =>
      flow('shop/b', fromWorkload('shop', 'c'), counts(n, 0), { port });
    const result = engine
      .traffic(
        observations([
          sent(15020, 1),
          sent(8080, 2),
          flow('shop/a', fromWorkload('shop', 'c'), counts(0, 0, 7), {
            port: 8080,
          }),
          sent(15021, 4),
          sent(15020, 8),
          sent(8080, 16),
        ]),
      )
      .callees(c, engine.calleesOf(c))!;
    expect(
      result.unmatched.map(u => [
        peerLabel(u.peer!),
        u.port,
        u.status,
        u.evidence.mtls,
        u.sourceCount,
      ]),
    ).toEqual([
      ['shop/b', 15020, 'unknown', 9, 1],
      ['shop/b', 8080, 'denied', 18, 1],
      ['shop/b', 15021, 'unknown', 4, 1],
    ]);
    // Each group names its peer in an object of its own, and lists no sources.
    expect(result.unmatched[0].peer).not.toBe(result.unmatched[1].peer);
    expect(result.unmatched.map(u => u.sources)).toEqual([[], [], []]);
  });

  it("keeps apart the groups of a custom reader's ports out of range", () => {
    // Groups are found by a number made of the workload called and the port: port 70000 to the
    // first workload called and 4463 to the second would make the same number (70000).
    const engine = engineOf(estate);
    const c = { namespace: 'shop', name: 'c' };
    const result = engine
      .traffic(
        observations([
          flow('shop/a', fromWorkload('shop', 'c'), counts(1, 0), {
            port: 70000,
          }),
          flow('shop/b', fromWorkload('shop', 'c'), counts(2, 0), {
            port: 4463,
          }),
        ]),
      )
      .callees(c, engine.calleesOf(c))!;
    expect(
      result.unmatched.map(u => [peerLabel(u.peer!), u.port, u.evidence.mtls]),
    ).toEqual([
      ['shop/a', 70000, 1],
      ['shop/b', 4463, 2],
    ]);
  });

  it('answers each list and workload anew: the last answer is reused only for the same list', () => {
    const engine = engineOf([...estate, allowA]);
    const join = engine.traffic(
      observations([
        flow('shop/b', fromWorkload('shop', 'a'), counts(5, 0), { port: 8080 }),
        flow('shop/c', fromWorkload('shop', 'a'), counts(0, 3), { port: 8080 }),
      ]),
    );
    const c = { namespace: 'shop', name: 'c' };
    const edges = engine.callersOf(b);
    const first = join.callers(b, edges)!;
    // The same list again (an entity view, then its findings): the same answer.
    expect(join.callers(b, edges)).toBe(first);
    // Another list for the same workload: answered for that list.
    const shorter = edges.slice(0, 1);
    expect(join.callers(b, shorter)!.edges).toHaveLength(1);
    expect(join.callers(b, edges)).not.toBe(first);
    expect(join.callers(b, edges)).toEqual(first);
    // Another workload: its own flows.
    const ofC = join.callers(c, engine.callersOf(c))!;
    const sources = [...ofC.edges, ...ofC.unmatched].flatMap(t =>
      t.sources.map(observedSourceLabel),
    );
    expect(sources).toEqual(['shop/a']);
    expect(
      [...ofC.edges, ...ofC.unmatched].reduce(
        (sum, t) => sum + t.evidence.plaintext,
        0,
      ),
    ).toBe(3);
    expect(join.workload(c)!.ports[0].evidence).toEqual(counts(0, 3));
    expect(join.workload(b)!.ports[0].evidence).toEqual(counts(5, 0));
  });

  it('an edge naming a workload wins over a summary listed before it; a namesake of another kind does not match', () => {
    const engine = engineOf(estate);
    const join = engine.traffic(
      observations([
        flow('shop/b', fromWorkload('shop', 'a'), counts(5, 0), { port: 8080 }),
      ]),
    );
    const template = engine.callersOf(b)[0];
    const edge = (peer: object): AccessEdge =>
      ({
        ...template,
        peer: { cluster: 'test', ...peer },
        port: 8080,
      } as AccessEdge);
    const edges: AccessEdge[] = [
      edge({ kind: 'namespace', namespace: 'shop' }),
      edge({ kind: 'StatefulSet', namespace: 'shop', name: 'a' }),
      edge({ kind: 'Deployment', namespace: 'shop', name: 'a' }),
    ];
    const statuses = join.callers(b, edges)!.edges.map(t => t.status);
    expect(statuses).toEqual(['unused', 'unused', 'used']);
  });

  it('is linear: 2,000 workloads without policies, 30,000 flows, no pair expansion', () => {
    const objects = [namespace('istio-system')];
    for (let n = 0; n < 20; n++) {
      objects.push(namespace(`ns${n}`, { 'istio-injection': 'enabled' }));
      for (let i = 0; i < 100; i++) objects.push(deployment(`ns${n}`, `w${i}`));
    }
    const engine = engineOf(objects);
    const flows = [];
    for (let t = 0; t < 2000; t++)
      for (let s = 0; s < 15; s++)
        flows.push(
          flow(
            `ns${t % 20}/w${Math.floor(t / 20)}`,
            fromWorkload(`ns${(t + s) % 20}`, `w${(t * 7 + s) % 100}`),
            counts(1, s === 0 ? 1 : 0),
            { port: 8080 },
          ),
        );
    const join = engine.traffic(observations(flows));
    const ref = { namespace: 'ns3', name: 'w7' };
    const callers = join.callers(ref)!;
    expect(callers.edges.length).toBeLessThan(5);
    expect(
      callers.edges.reduce((n, e) => n + e.evidence.mtls, 0) +
        callers.unmatched.reduce((n, e) => n + e.evidence.mtls, 0),
    ).toBe(join.workload(ref)!.ports[0].evidence.mtls);
  });
});

describe('traffic findings (MS5xx)', () => {
  const codes = (
    objects: unknown[],
    flows: Parameters<typeof observations>[0],
    o = {},
  ) =>
    engineOf(objects)
      .traffic(observations(flows, o))
      .findings(b)
      .map(f => [f.code, f.message]);
  const strict = peerAuthentication('shop', 'default', {
    mtls: { mode: 'STRICT' },
  });

  it('MS501: plaintext on a STRICT port, with the likely causes', () => {
    const out = codes(
      [...estate, strict],
      [
        flow('shop/b', fromUnknown, counts(10, 4), {
          port: 8080,
          recent: counts(3, 0),
        }),
      ],
    );
    expect(out).toEqual([
      [
        'MS501',
        expect.stringMatching(
          /Port 8080 of Deployment shop\/b is STRICT, yet 4 plaintext .*last 7 d.*evidence may predate/,
        ),
      ],
      // No edge admits plaintext from outside the mesh on a STRICT port.
      ['MS506', expect.stringContaining('outside the mesh / unknown')],
    ]);
  });

  it('MS502: PERMISSIVE with plaintext: enforcing STRICT now breaks the sources', () => {
    expect(
      codes(estate, [
        flow('shop/b', fromWorkload('legacy', 'old'), counts(0, 3), {
          port: 8080,
        }),
        flow('shop/b', fromWorkload('shop', 'a'), counts(9, 0), { port: 8080 }),
      ]),
    ).toEqual([
      [
        'MS502',
        expect.stringContaining('enforcing STRICT now breaks: legacy/old'),
      ],
    ]);
  });

  it('MS503: PERMISSIVE with only mTLS is ready for STRICT, with the evidence; not when truncated', () => {
    const flows = [
      flow('shop/b', fromWorkload('shop', 'a'), counts(9, 0), { port: 8080 }),
    ];
    expect(codes(estate, flows)).toEqual([
      [
        'MS503',
        'Port 8080 of Deployment shop/b is PERMISSIVE and ready for STRICT: 9 mTLS requests or connections from 1 source and no plaintext in the last 7 d',
      ],
    ]);
    expect(codes(estate, flows, { truncated: true })).toEqual([]);
  });

  it('MS504: a grant unused for the evidence window; MS505 refused; MS506 accepted without grant', () => {
    const allow = authorizationPolicy('shop', 'allow-c', {
      selector: { matchLabels: { app: 'b' } },
      rules: [
        { from: [{ source: { principals: ['cluster.local/ns/shop/sa/c'] } }] },
      ],
    });
    const out = codes(
      [...estate, strict, allow],
      [
        flow('shop/b', fromWorkload('shop', 'a'), counts(4, 0, 2), {
          port: 8080,
        }),
      ],
    );
    expect(out.map(([code]) => code)).toEqual(['MS504', 'MS505', 'MS506']);
    expect(out[0][1]).toBe(
      'AuthorizationPolicy shop/allow-c allows shop/c on port 8080 of Deployment shop/b; none sent traffic in the last 7 d',
    );
    expect(out[2][1]).toContain('shop/a');
  });

  it('findings given the caller edges an entity view holds are those of the graph, joined once', () => {
    const allow = authorizationPolicy('shop', 'allow-c', {
      selector: { matchLabels: { app: 'b' } },
      rules: [
        { from: [{ source: { principals: ['cluster.local/ns/shop/sa/c'] } }] },
      ],
    });
    const engine = engineOf([...estate, strict, allow]);
    const join = engine.traffic(
      observations([
        flow('shop/b', fromWorkload('shop', 'a'), counts(4, 0, 2), {
          port: 8080,
        }),
      ]),
    );
    const own = join.findings(b).map(f => f.message);
    expect(own.length).toBeGreaterThan(0);
    const edges = engine.callersOf(b);
    const inbound = join.callers(b, edges);
    expect(join.findings(b, edges).map(f => f.message)).toEqual(own);
    // The view's join of that list is what the findings read (not joined again).
    expect(join.callers(b, edges)).toBe(inbound);
  });

  it('stale observations say so in the message', () => {
    const out = codes(
      estate,
      [flow('shop/b', fromWorkload('shop', 'a'), counts(9, 0), { port: 8080 })],
      { status: 'stale', message: 'Prometheus answered 503' },
    );
    expect(out[0][1]).toMatch(
      /observations are stale: last read 2026-12-01T10:05:00Z; Prometheus answered 503/,
    );
  });
});
