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
import { EdgeTraffic, ObservedFlow, TrafficCounts } from '../../model';

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

const source = fc.oneof(
  fc.constantFrom(...workloads).map(w => fromWorkload(w.namespace, w.name)),
  fc
    .constantFrom('shop/sa/a', 'other/sa/d', 'other/sa/nobody')
    .map(p => fromIdentity(`spiffe://cluster.local/ns/${p}`)),
  fc.constant(fromUnknown),
);
const count = fc.nat({ max: 50 });
const flowArb: fc.Arbitrary<ObservedFlow> = fc
  .record({
    to: fc.constantFrom(...workloads),
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

const sum = (list: TrafficCounts[]): TrafficCounts =>
  list.reduce(
    (a, c) =>
      counts(a.mtls + c.mtls, a.plaintext + c.plaintext, a.denied + c.denied),
    counts(),
  );

describe('traffic join properties', () => {
  it('every flow lands in exactly one port entry and one edge or unmatched group', () => {
    fc.assert(
      fc.property(
        policies,
        fc.array(flowArb, { maxLength: 30 }),
        (p, flows) => {
          const engine = engineOf([...estate, ...p]);
          const join = engine.traffic(observations(flows));
          const all = engine.evaluate().workloads;
          for (const ref of workloads) {
            const mine = flows.filter(
              f => f.to.namespace === ref.namespace && f.to.name === ref.name,
            );
            const expected = sum(mine.map(f => f.evidence));
            const w = join.workload(ref)!;
            expect(sum(w.ports.map(x => x.evidence))).toEqual(expected);

            const edges = engine.callersOf(ref);
            const result = join.callers(ref, edges)!;
            // Edges of one peer without ports share one entry: count it once.
            const seen = new Set<string>();
            const distinct: EdgeTraffic[] = [];
            result.edges.forEach((t, i) => {
              const key =
                t.portsTold === false ? JSON.stringify(edges[i].peer) : `${i}`;
              if (!seen.has(key)) distinct.push(t);
              seen.add(key);
            });
            expect(
              sum([...distinct, ...result.unmatched].map(x => x.evidence)),
            ).toEqual(expected);

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
        },
      ),
      { numRuns: 60 },
    );
  });
});
