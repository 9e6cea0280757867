import fc from 'fast-check';
import { engineOf } from '../__testUtils__/engine';
import {
  Obj,
  authorizationPolicy,
  deployment,
  istioPair,
  namespace,
  peerAuthentication,
} from '../__testUtils__/k8s';
import { expandCallers } from '../__testUtils__/graph';
import { AccessRequest } from '../model';

/*
 * Properties of Istio's authorization semantics ("Authorization policy" precedence): DENY
 * policies only ever remove access; rules are ORed, so a new rule in an ALLOW policy only adds;
 * the first ALLOW policy switches a workload from allow-by-default to allow-listed; and the
 * verdicts do not depend on object order (the only order that matters is creation time, for
 * oldest-wins among PeerAuthentications).
 */

const RUNS = { numRuns: 150 };
const estate: Obj[] = [
  ...istioPair(),
  deployment('shop', 'c'),
  namespace('other', { 'istio-injection': 'enabled' }),
  deployment('other', 'd'),
  namespace('legacy'),
  deployment('legacy', 'old'),
];
const callers = [
  { namespace: 'shop', name: 'a' },
  { namespace: 'shop', name: 'c' },
  { namespace: 'other', name: 'd' },
  { namespace: 'legacy', name: 'old' },
  { kind: 'external' as const },
];

const principal = fc.constantFrom(
  'cluster.local/ns/shop/sa/a',
  'cluster.local/ns/shop/sa/c',
  'cluster.local/ns/other/*',
  '*',
  '*/sa/d',
);
const source = fc
  .record(
    {
      principals: fc.array(principal, { minLength: 1, maxLength: 2 }),
      namespaces: fc.array(fc.constantFrom('shop', 'other'), {
        minLength: 1,
        maxLength: 2,
      }),
      notPrincipals: fc.array(principal, { minLength: 1, maxLength: 1 }),
    },
    { requiredKeys: [] },
    // An empty source or operation is refused by Istio's validation (MS401), not evaluated.
  )
  .filter(s => Object.keys(s).length > 0);
const operation = fc
  .record(
    {
      ports: fc.array(fc.constantFrom('8080', '9090'), {
        minLength: 1,
        maxLength: 2,
      }),
      methods: fc.array(fc.constantFrom('GET', 'POST'), {
        minLength: 1,
        maxLength: 2,
      }),
    },
    { requiredKeys: [] },
  )
  .filter(o => Object.keys(o).length > 0);
const rule = fc.record(
  {
    from: fc.array(fc.record({ source }), { minLength: 1, maxLength: 2 }),
    to: fc.array(fc.record({ operation }), { minLength: 1, maxLength: 2 }),
  },
  { requiredKeys: [] },
);
const selector = fc.constantFrom(
  undefined,
  { matchLabels: { app: 'b' } },
  { matchLabels: { app: 'c' } },
);
const policySpec = (action: fc.Arbitrary<string>) =>
  fc
    .record({ action, selector, rules: fc.array(rule, { maxLength: 3 }) })
    .map(
      s =>
        Object.fromEntries(
          Object.entries(s).filter(([, v]) => v !== undefined),
        ) as Obj,
    );
const policies = fc
  .array(policySpec(fc.constantFrom('ALLOW', 'DENY')), { maxLength: 4 })
  .map(specs => specs.map((s, i) => authorizationPolicy('shop', `p${i}`, s)));
const request = fc
  .record({
    from: fc.constantFrom(...callers),
    method: fc.constantFrom('GET', 'POST'),
  })
  .map(
    r =>
      ({
        from: r.from,
        to: { namespace: 'shop', name: 'b' },
        port: 8080,
        method: r.method,
        path: '/',
      } as AccessRequest),
  );
/** `namespace/name:port` of every caller of shop/b, summaries expanded. */
const callersOfB = (objects: Obj[]) => [
  ...expandCallers(engineOf(objects), { namespace: 'shop', name: 'b' }).keys(),
];

describe('authorization properties', () => {
  it('adding a DENY policy never turns a DENY into an ALLOW', () => {
    expect(() =>
      fc.assert(
        fc.property(
          policies,
          policySpec(fc.constant('DENY')),
          request,
          (existing, deny, req) => {
            const before = engineOf([...estate, ...existing]).check(
              req,
            ).decision;
            const after = engineOf([
              ...estate,
              ...existing,
              authorizationPolicy('shop', 'new-deny', deny),
            ]).check(req).decision;
            return !(before === 'DENY' && after === 'ALLOW');
          },
        ),
        RUNS,
      ),
    ).not.toThrow();
  });

  it('adding a rule to an existing ALLOW policy never removes an allowed caller', () => {
    expect(() =>
      fc.assert(
        fc.property(
          policies,
          fc.array(rule, { minLength: 1, maxLength: 2 }),
          rule,
          (existing, rules, extra) => {
            const allow = (r: Obj[]) =>
              authorizationPolicy('shop', 'allow-b', {
                selector: { matchLabels: { app: 'b' } },
                rules: r,
              });
            const before = new Set(
              callersOfB([...estate, ...existing, allow(rules)]),
            );
            const after = new Set(
              callersOfB([...estate, ...existing, allow([...rules, extra])]),
            );
            return [...before].every(k => after.has(k));
          },
        ),
        RUNS,
      ),
    ).not.toThrow();
  });

  it('adding the first ALLOW policy to a workload removes the callers it does not name', () => {
    expect(() =>
      fc.assert(
        fc.property(fc.constantFrom('a', 'c'), sa => {
          const before = callersOfB(estate);
          const after = callersOfB([
            ...estate,
            authorizationPolicy('shop', 'allow-one', {
              selector: { matchLabels: { app: 'b' } },
              rules: [
                {
                  from: [
                    {
                      source: {
                        principals: [`cluster.local/ns/shop/sa/${sa}`],
                      },
                    },
                  ],
                },
              ],
            }),
          ]);
          return (
            after.length === 1 &&
            after[0] === `shop/${sa}:8080` &&
            before.length > after.length
          );
        }),
        { numRuns: 4 },
      ),
    ).not.toThrow();
  });

  it('evaluation does not depend on object order', () => {
    expect(() =>
      fc.assert(
        fc.property(
          policies,
          fc.integer({ min: 0, max: 1000 }),
          request,
          (existing, seed, req) => {
            const objects = [
              ...estate,
              ...existing,
              peerAuthentication('shop', 'default', {
                mtls: { mode: 'STRICT' },
              }),
            ];
            const shuffled = [...objects].sort(
              (x, y) =>
                ((JSON.stringify(x).length * 31 + seed) % 97) -
                ((JSON.stringify(y).length * 31 + seed) % 97),
            );
            const a = engineOf(objects);
            const b = engineOf(shuffled);
            const target = { namespace: 'shop', name: 'b' };
            return (
              JSON.stringify(a.evaluate()) === JSON.stringify(b.evaluate()) &&
              JSON.stringify(a.check(req)) === JSON.stringify(b.check(req)) &&
              JSON.stringify(a.callersOf(target)) ===
                JSON.stringify(b.callersOf(target))
            );
          },
        ),
        { numRuns: 25 },
      ),
    ).not.toThrow();
  });

  it('the documented exception: creation time decides among namespace-wide PeerAuthentications (oldest wins)', () => {
    const pa = (name: string, mode: string, created: string) =>
      peerAuthentication('shop', name, { mtls: { mode } }, created);
    const mode = (objects: Obj[]) =>
      engineOf([...estate, ...objects]).posture({
        namespace: 'shop',
        name: 'b',
      }).mtls;
    expect(
      mode([
        pa('x', 'STRICT', '2026-01-01T00:00:00Z'),
        pa('y', 'DISABLE', '2026-02-01T00:00:00Z'),
      ]),
    ).toBe('STRICT');
    expect(
      mode([
        pa('x', 'STRICT', '2026-02-01T00:00:00Z'),
        pa('y', 'DISABLE', '2026-01-01T00:00:00Z'),
      ]),
    ).toBe('DISABLED');
  });
});

/*
 * Port protocol (docs/engine.md "Port protocol"): mesh proxies carry TCP only, so a UDP or SCTP
 * port is DISABLED whatever the mesh and its policies, and declaring it beside a TCP port of
 * the same number never changes the TCP port's mode.
 */
describe('port protocol properties', () => {
  const meshNamespace = fc.constantFrom(
    namespace('shop', { 'istio-injection': 'enabled' }),
    namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
    namespace('shop', {}, { 'linkerd.io/inject': 'enabled' }),
    namespace('shop'),
  );
  const mode = fc.constantFrom('STRICT', 'PERMISSIVE', 'DISABLE', 'UNSET');
  const peerAuth = fc
    .record({ workload: mode, port53: fc.option(mode, { nil: undefined }) })
    .map(m =>
      peerAuthentication('shop', 'b', {
        selector: { matchLabels: { app: 'b' } },
        mtls: { mode: m.workload },
        ...(m.port53 ? { portLevelMtls: { 53: { mode: m.port53 } } } : {}),
      }),
    );
  const annotations = fc.constantFrom<Record<string, string>>(
    {},
    { 'traffic.sidecar.istio.io/excludeInboundPorts': '53' },
    { 'config.linkerd.io/default-inbound-policy': 'all-authenticated' },
    { 'config.linkerd.io/skip-inbound-ports': '53' },
  );

  it('a UDP or SCTP port is DISABLED and leaves the TCP port of its number as it was', () => {
    expect(() =>
      fc.assert(
        fc.property(
          meshNamespace,
          fc.option(peerAuth, { nil: undefined }),
          annotations,
          fc.constantFrom('UDP', 'SCTP'),
          (ns, pa, podAnnotations, protocol) => {
            const posture = (
              ports: Array<{ port: number; protocol: string }>,
            ) =>
              engineOf([
                namespace('istio-system'),
                ns,
                deployment('shop', 'b', { ports, annotations: podAnnotations }),
                ...(pa ? [pa] : []),
              ]).posture({ namespace: 'shop', name: 'b' });
            const tcp = { port: 53, protocol: 'TCP' };
            const both = posture([tcp, { port: 53, protocol }]).ports;
            const alone = posture([tcp]).ports;
            const other = both.find(p => p.protocol === protocol);
            return (
              other?.mtls === 'DISABLED' &&
              JSON.stringify(both.find(p => p.protocol === 'TCP')) ===
                JSON.stringify(alone[0])
            );
          },
        ),
        RUNS,
      ),
    ).not.toThrow();
  });
});
