import fc from 'fast-check';
import { engineOf } from '../../__testUtils__/engine';
import { peerMembers } from '../../__testUtils__/graph';
import {
  authorizationPolicy,
  deployment,
  istioPair,
  namespace,
  peerAuthentication,
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
  EdgeTraffic,
  OBSERVED_PORT_LIMIT,
  ObservedFlow,
  TrafficCounts,
  WorkloadPosture,
} from '../../model';
import type { TrafficJoin } from './api';

/*
 * Counts are conserved (docs/traffic.md, "What the engine does with observations"): every flow
 * to a workload lands in exactly one port entry, and in exactly one caller edge (a peer's
 * shared entry when the metrics lack ports) or unmatched group; a flow from a workload lands on
 * an edge only when the edge's peer stands for it.
 */

const workloads = [
  { namespace: 'shop', name: 'a' },
  { namespace: 'shop', name: 'b' },
  { namespace: 'shop', name: 'c' },
  { namespace: 'other', name: 'd' },
  { namespace: 'legacy', name: 'old' },
];
const estate = [
  ...istioPair('shop', { ports: [8080, 9090] }),
  deployment('shop', 'c', { sa: 'a' }),
  namespace('other', { 'istio-injection': 'enabled' }),
  deployment('other', 'd'),
  namespace('legacy'),
  deployment('legacy', 'old'),
];
const policies = fc.subarray([
  peerAuthentication('shop', 'default', { mtls: { mode: 'STRICT' } }),
  authorizationPolicy('shop', 'allow-a', {
    selector: { matchLabels: { app: 'b' } },
    rules: [
      { from: [{ source: { principals: ['cluster.local/ns/shop/sa/a'] } }] },
    ],
  }),
  authorizationPolicy('shop', 'allow-other', {
    rules: [{ from: [{ source: { namespaces: ['other'] } }] }],
  }),
]);

const identity = (p: string) => `spiffe://cluster.local/ns/${p}`;
const source = fc.oneof(
  fc.constantFrom(...workloads).map(w => fromWorkload(w.namespace, w.name)),
  fc
    .constantFrom('shop/sa/a', 'other/sa/d', 'other/sa/nobody')
    .map(p => fromIdentity(identity(p))),
  fc.constant(fromUnknown),
  // A source reported by name and identity: by name when a workload has it (even with another's
  // identity), else by the identity.
  fc
    .record({
      w: fc.constantFrom(...workloads, { namespace: 'shop', name: 'ghost' }),
      p: fc.constantFrom('shop/sa/a', 'other/sa/d', 'shop/sa/b'),
    })
    .map(({ w, p }) => ({
      ...fromWorkload(w.namespace, w.name),
      identity: identity(p),
    })),
);
const count = fc.nat({ max: 50 });
const flowArb: fc.Arbitrary<ObservedFlow> = fc
  .record({
    // `shop/ghost` receives, but is no workload of the snapshot.
    to: fc.constantFrom(...workloads, { namespace: 'shop', name: 'ghost' }),
    from: source,
    port: fc.option(fc.constantFrom(8080, 9090), { nil: undefined }),
    mtls: count,
    plaintext: count,
    denied: count,
  })
  .map(f =>
    flow(
      `${f.to.namespace}/${f.to.name}`,
      f.from,
      counts(f.mtls, f.plaintext, f.denied),
      f.port === undefined ? {} : { port: f.port },
    ),
  );

/** Sometimes a port scan: one source reaching 21–40 ports a workload does not declare. */
const scanArb: fc.Arbitrary<ObservedFlow[]> = fc
  .option(
    fc.record({
      to: fc.constantFrom(...workloads),
      from: source,
      ports: fc.integer({ min: 21, max: 40 }),
      mtls: count,
      plaintext: count,
    }),
    { nil: undefined, freq: 2 },
  )
  .map(s =>
    s
      ? Array.from({ length: s.ports }, (_, i) =>
          flow(
            `${s.to.namespace}/${s.to.name}`,
            s.from,
            counts((s.mtls * (i + 1)) % 7, (s.plaintext * (i + 3)) % 5),
            { port: 10000 + i },
          ),
        )
      : [],
  );

const sum = (list: TrafficCounts[]): TrafficCounts =>
  list.reduce(
    (a, c) =>
      counts(a.mtls + c.mtls, a.plaintext + c.plaintext, a.denied + c.denied),
    counts(),
  );

/**
 * The evidence counts a join put on a list's edges and unmatched groups together. Edges of one
 * peer without ports share one entry: it is counted once.
 */
function landed(
  edges: AccessEdge[],
  result: { edges: EdgeTraffic[]; unmatched: EdgeTraffic[] },
): TrafficCounts {
  const seen = new Set<string>();
  const distinct: EdgeTraffic[] = [];
  result.edges.forEach((t, i) => {
    const key = t.portsTold === false ? JSON.stringify(edges[i].peer) : `${i}`;
    if (!seen.has(key)) distinct.push(t);
    seen.add(key);
  });
  return sum([...distinct, ...result.unmatched].map(x => x.evidence));
}

/** Runs `check` on 60 random policy sets, each with a random list of flows. */
function forRandomTraffic(
  check: (
    engine: ReturnType<typeof engineOf>,
    join: TrafficJoin,
    workloads: WorkloadPosture[],
    flows: ObservedFlow[],
  ) => void,
): void {
  fc.assert(
    fc.property(
      policies,
      fc.array(flowArb, { maxLength: 30 }),
      scanArb,
      (p, some, scan) => {
        const flows = [...some, ...scan];
        const engine = engineOf([...estate, ...p]);
        check(
          engine,
          engine.traffic(observations(flows)),
          engine.evaluate().workloads,
          flows,
        );
      },
    ),
    { numRuns: 60 },
  );
}

describe('traffic join properties', () => {
  it('every flow lands in exactly one port entry and one edge or unmatched group', () => {
    let folded = 0;
    forRandomTraffic((engine, join, all, flows) => {
      for (const ref of workloads) {
        const mine = flows.filter(
          f => f.to.namespace === ref.namespace && f.to.name === ref.name,
        );
        const expected = sum(mine.map(f => f.evidence));
        const w = join.workload(ref)!;
        expect(sum(w.ports.map(x => x.evidence))).toEqual(expected);
        // At most OBSERVED_PORT_LIMIT undeclared ports listed; every other one in exactly one
        // entry of its mode.
        const declared = new Set(
          all
            .find(x => x.namespace === ref.namespace && x.name === ref.name)!
            .ports.map(x => x.port),
        );
        const undeclared = new Set(
          mine
            .filter(f => f.port !== undefined && !declared.has(f.port))
            .map(f => f.port),
        );
        const listed = w.ports.filter(
          x => x.port !== undefined && !declared.has(x.port),
        );
        const other = w.ports.filter(x => x.otherPorts);
        expect(listed.length).toBe(
          Math.min(undeclared.size, OBSERVED_PORT_LIMIT),
        );
        expect(
          listed.length + other.reduce((n, x) => n + x.otherPorts!.count, 0),
        ).toBe(undeclared.size);
        expect(new Set(other.map(x => x.mtls)).size).toBe(other.length);
        if (other.length > 0) folded++;

        const edges = engine.callersOf(ref);
        const result = join.callers(ref, edges)!;
        expect(landed(edges, result)).toEqual(expected);

        const self = all.find(
          x => x.namespace === ref.namespace && x.name === ref.name,
        )!;
        result.edges.forEach((t, i) => {
          for (const s of t.sources) {
            if (!s.workload) continue;
            const members = peerMembers(edges[i].peer, self, all);
            expect(members.map(m => `${m.namespace}/${m.name}`)).toContain(
              `${s.workload.namespace}/${s.workload.name}`,
            );
          }
        });
      }
    });
    // Some runs scanned more undeclared ports than are listed.
    expect(folded).toBeGreaterThan(0);
  });

  it('every flow a workload sent to a workload of the snapshot lands in exactly one callee edge or unmatched group', () => {
    forRandomTraffic((engine, join, all, flows) => {
      const named = (ns: string, name: string) =>
        all.find(w => w.namespace === ns && w.name === name);
      // The source as the docs define it: by name, else by an identity one workload has.
      const sender = (f: ObservedFlow) => {
        const from = f.from;
        if (from.kind === 'unknown') return undefined;
        if (from.kind === 'workload') {
          const w = named(from.namespace, from.name);
          if (w || !from.identity) return w;
        }
        const holders = all.filter(w => w.identity === from.identity);
        return holders.length === 1 ? holders[0] : undefined;
      };
      expect(join.unknownTargets).toBe(
        flows.filter(f => !named(f.to.namespace, f.to.name)).length,
      );
      for (const ref of workloads) {
        const mine = flows.filter(f => {
          const s = sender(f);
          return (
            s?.namespace === ref.namespace &&
            s?.name === ref.name &&
            named(f.to.namespace, f.to.name) !== undefined
          );
        });
        const edges = engine.calleesOf(ref);
        const result = join.callees(ref, edges)!;
        expect(landed(edges, result)).toEqual(sum(mine.map(f => f.evidence)));
      }
    });
  });
});
