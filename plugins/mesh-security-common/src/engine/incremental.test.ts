import fc from 'fast-check';
import {
  Obj,
  authorizationPolicy,
  deployment,
  destinationRule,
  linkerdAuthorizationPolicy,
  gatewayHttpRoute,
  linkerdServer,
  meshTlsAuthentication,
  namespace,
  networkAuthentication,
  networkPolicy,
  peerAuthentication,
  pod,
  service,
  serviceEntry,
  waypointGateway,
} from '../__testUtils__/k8s';
import {
  counts,
  flow,
  fromIdentity,
  fromUnknown,
  fromWorkload,
  observations,
} from '../__testUtils__/traffic';
import { AccessEdge, ObservedFlow } from '../model';
import { Engine, createEngine, policyFindings, policyFindingSteps } from '.';
import { EngineContext } from './core/context';
import { readObjects } from './core/reader';
import {
  ChangeScope,
  ObjectChange,
  IncrementalEvaluator,
  createIncrementalEvaluator,
} from './incremental';

/*
 * Incremental evaluation equals evaluation from scratch (docs/engine.md "Incremental
 * evaluation"): random estates, random sequences of changes, and after each step the postures,
 * the findings and every workload's callers equal a fresh `readObjects` + `createEngine`; the
 * callers of a target outside the reported scope did not change.
 */

const CLUSTER = 'c';
const keyOf = (o: Obj) => {
  const m = o.metadata as { namespace?: string; name: string };
  return `${o.apiVersion}/${o.kind}/${m.namespace ?? ''}/${m.name}`;
};

const meshConfig = (trustDomain: string): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'istio', namespace: 'istio-system' },
  data: { mesh: `trustDomain: ${trustDomain}\n` },
});

/** Every slot: a key and its variants (`undefined`: absent). */
function slots(): Array<Array<Obj | undefined>> {
  const nsVariants = (ns: string) => [
    namespace(ns, { 'istio-injection': 'enabled' }),
    namespace(ns, { 'istio-injection': 'enabled', team: 'x' }),
    namespace(ns),
    namespace(ns, { 'istio.io/dataplane-mode': 'ambient' }),
    namespace(ns, {}, { 'linkerd.io/inject': 'enabled' }),
    namespace(ns, {
      'istio.io/dataplane-mode': 'ambient',
      'istio.io/use-waypoint': 'waypoint',
    }),
  ];
  const ip = (n: number) => `10.0.0.${n}`;
  const deploymentVariants = (ns: string, name: string) => [
    deployment(ns, name),
    deployment(ns, name, { labels: { tier: 'web' } }),
    deployment(ns, name, { sa: 'shared' }),
    deployment(ns, name, { ports: [8080, 9090] }),
    deployment(ns, name, { secrets: ['db'] }),
    // A revision without its mesh ConfigMap: an unmodelled source for every workload of it.
    deployment(ns, name, { labels: { 'istio.io/rev': 'canary' } }),
    undefined,
  ];
  const podVariants = (ns: string, owner: string, name: string, n: number) => [
    pod(ns, owner, name, { ip: ip(n), proxy: true }),
    // Replaced: another IP only.
    pod(ns, owner, name, { ip: ip(n + 1), proxy: true }),
    pod(ns, owner, name, { ip: ip(n), labels: { tier: 'web' }, proxy: true }),
    pod(ns, owner, name, { proxy: true }),
    pod(ns, owner, name, { ip: ip(n + 100) }),
    undefined,
  ];
  const mtls = (mode: string, selector?: Obj) => ({
    ...(selector ? { selector } : {}),
    mtls: { mode },
  });
  return [
    [namespace('istio-system')],
    nsVariants('shop'),
    nsVariants('other'),
    [
      namespace('ld', {}, { 'linkerd.io/inject': 'enabled' }),
      ...nsVariants('ld'),
      undefined,
    ],
    deploymentVariants('shop', 'a'),
    deploymentVariants('shop', 'b'),
    deploymentVariants('other', 'c'),
    deploymentVariants('ld', 'l'),
    podVariants('shop', 'a', 'a-7d9f-x1', 1),
    podVariants('shop', 'a', 'a-7d9f-x2', 2),
    podVariants('shop', 'b', 'b-7d9f-y1', 3),
    podVariants('other', 'c', 'c-7d9f-z1', 4),
    podVariants('ld', 'l', 'l-7d9f-w1', 5),
    [
      pod('shop', undefined, 'solo', { ip: ip(9), proxy: true }),
      pod('shop', undefined, 'solo', { ip: ip(9), sa: 'shared' }),
      undefined,
    ],
    [
      peerAuthentication('shop', 'default', mtls('STRICT')),
      peerAuthentication('shop', 'default', mtls('PERMISSIVE')),
      peerAuthentication('shop', 'default', mtls('DISABLE')),
      undefined,
    ],
    [
      peerAuthentication(
        'shop',
        'sel',
        mtls('PERMISSIVE', { matchLabels: { app: 'b' } }),
      ),
      peerAuthentication(
        'shop',
        'sel',
        mtls('STRICT', { matchLabels: { app: 'nothing' } }),
      ),
      undefined,
    ],
    [
      peerAuthentication('other', 'default', mtls('STRICT')),
      peerAuthentication('other', 'default', mtls('PERMISSIVE')),
      undefined,
    ],
    [
      peerAuthentication('istio-system', 'default', mtls('STRICT')),
      peerAuthentication('istio-system', 'default', mtls('PERMISSIVE')),
      undefined,
      undefined,
      undefined,
      undefined,
    ],
    [
      authorizationPolicy('shop', 'allow-a', {
        selector: { matchLabels: { app: 'b' } },
        action: 'ALLOW',
        rules: [
          {
            from: [{ source: { principals: ['cluster.local/ns/shop/sa/a'] } }],
          },
        ],
      }),
      authorizationPolicy('shop', 'allow-a', {
        action: 'ALLOW',
        rules: [{ from: [{ source: { namespaces: ['other'] } }] }],
      }),
      authorizationPolicy('shop', 'allow-a', {
        action: 'ALLOW',
        rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/30'] } }] }],
      }),
      undefined,
    ],
    [
      authorizationPolicy('istio-system', 'global', {
        action: 'DENY',
        rules: [{ from: [{ source: { namespaces: ['ld'] } }] }],
      }),
      undefined,
      undefined,
      undefined,
      undefined,
    ],
    [
      networkPolicy('shop', 'deny', {
        podSelector: {},
        policyTypes: ['Ingress'],
      }),
      networkPolicy('shop', 'deny', {
        podSelector: { matchLabels: { app: 'b' } },
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { team: 'x' } } }] },
        ],
      }),
      networkPolicy('shop', 'deny', {
        podSelector: { matchLabels: { app: 'b' } },
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/30' } }] }],
      }),
      undefined,
    ],
    [
      networkPolicy('other', 'egress', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: { tier: 'web' } } }] }],
      }),
      networkPolicy('other', 'egress', {
        podSelector: { matchLabels: { app: 'c' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'c' } } }] }],
      }),
      undefined,
    ],
    [
      destinationRule('shop', 'b', {
        host: 'b.shop.svc.cluster.local',
        trafficPolicy: { tls: { mode: 'DISABLE' } },
      }),
      destinationRule('shop', 'b', {
        host: 'b.shop.svc.cluster.local',
        trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      }),
      undefined,
    ],
    [
      service('shop', 'b', { app: 'b' }, [
        { port: 80, targetPort: 8080, name: 'http' },
      ]),
      service('shop', 'b', { app: 'b' }, [
        { port: 80, targetPort: 9090, name: 'tcp' },
      ]),
      undefined,
    ],
    [
      linkerdServer('ld', 'srv', {
        podSelector: { matchLabels: { app: 'l' } },
        port: 8080,
        accessPolicy: 'deny',
      }),
      linkerdServer('ld', 'srv', {
        podSelector: { matchLabels: { app: 'l' } },
        port: 8080,
        accessPolicy: 'all-authenticated',
      }),
      undefined,
    ],
    [
      linkerdAuthorizationPolicy('ld', 'auth', {
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'srv' },
        requiredAuthenticationRefs: [
          {
            group: 'policy.linkerd.io',
            kind: 'MeshTLSAuthentication',
            name: 'ids',
          },
        ],
      }),
      // Authentications of another namespace.
      linkerdAuthorizationPolicy('ld', 'auth', {
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'srv' },
        requiredAuthenticationRefs: [
          {
            group: 'policy.linkerd.io',
            kind: 'MeshTLSAuthentication',
            name: 'ids',
            namespace: 'other',
          },
          {
            group: 'policy.linkerd.io',
            kind: 'NetworkAuthentication',
            name: 'nets',
            namespace: 'other',
          },
        ],
      }),
      undefined,
    ],
    [
      // A Gateway API route on the Server (its default route gone), then one whose parentRef
      // lacks the group (the Gateway API's own: attached to nothing).
      gatewayHttpRoute('ld', 'gw', {
        parentRefs: [
          { group: 'policy.linkerd.io', kind: 'Server', name: 'srv' },
        ],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }] }],
      }),
      gatewayHttpRoute('ld', 'gw', {
        parentRefs: [{ kind: 'Server', name: 'srv' }],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }] }],
      }),
      undefined,
    ],
    [
      meshTlsAuthentication('other', 'ids', { identities: ['*'] }),
      meshTlsAuthentication('other', 'ids', {
        identityRefs: [{ kind: 'ServiceAccount', name: 'c' }],
      }),
      undefined,
    ],
    [
      networkAuthentication('other', 'nets', {
        networks: [{ cidr: '10.0.0.0/24' }],
      }),
      networkAuthentication('other', 'nets', {
        networks: [{ cidr: '10.0.0.0/30' }],
      }),
      undefined,
    ],
    [
      meshTlsAuthentication('ld', 'ids', { identities: ['*'] }),
      meshTlsAuthentication('ld', 'ids', {
        identityRefs: [
          { kind: 'ServiceAccount', name: 'c', namespace: 'other' },
        ],
      }),
      undefined,
      undefined,
      undefined,
      undefined,
    ],
    [
      meshConfig('cluster.local'),
      meshConfig('example.org'),
      undefined,
      undefined,
      undefined,
    ],
    [
      service('other', 'c', { app: 'c' }, [
        { port: 80, targetPort: 8080, name: 'http' },
      ]),
      service(
        'other',
        'c',
        { app: 'c' },
        [{ port: 80, targetPort: 8080, name: 'http' }],
        { 'networking.istio.io/exportTo': '.' },
      ),
      service('other', 'c', { app: 'c' }, [
        { port: 443, targetPort: 8080, name: 'https' },
      ]),
      undefined,
    ],
    [
      destinationRule('other', 'to-b', {
        host: 'b.shop.svc.cluster.local',
        trafficPolicy: { tls: { mode: 'DISABLE' } },
      }),
      destinationRule('other', 'to-b', {
        host: 'b.shop.svc.cluster.local',
        workloadSelector: { matchLabels: { app: 'c' } },
        trafficPolicy: { tls: { mode: 'SIMPLE' } },
      }),
      destinationRule('other', 'to-b', {
        host: 'c.other.svc.cluster.local',
        exportTo: ['.'],
        trafficPolicy: { tls: { mode: 'DISABLE' } },
      }),
      undefined,
    ],
    [
      destinationRule('istio-system', 'global', {
        host: '*.local',
        trafficPolicy: { tls: { mode: 'DISABLE' } },
      }),
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ],
    [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'Sidecar',
        metadata: { name: 'default', namespace: 'other' },
        spec: { egress: [{ hosts: ['./*', 'istio-system/*'] }] },
      },
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ],
    [
      serviceEntry('shop', 'ext', {
        hosts: ['ext.example.com'],
        ports: [{ number: 443, name: 'tls', protocol: 'TLS' }],
        resolution: 'DNS',
      }),
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ],
    [waypointGateway('shop', 'waypoint'), undefined, undefined],
    // Reader findings: MS104 (object kept), MS401 (left out), under one key.
    [
      peerAuthentication('other', 'odd', {
        portLevelMtls: { '8080': { mode: 'DISABLE' } },
      }),
      authorizationPolicy('other', 'odd', { action: 'MAYBE' }),
      undefined,
    ],
    [
      { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'shop' } },
      undefined,
    ],
  ];
}

const SLOTS = slots();
const keyOfSlot = SLOTS.map(variants => keyOf(variants.find(v => v)!));

/** An initial variant per slot, then steps: a slot and its next variant. */
const scenario = fc.record({
  // Unbiased: fast-check favours small values, which would make most estates plain.
  initial: fc.tuple(
    ...SLOTS.map(v => fc.noBias(fc.nat({ max: v.length - 1 }))),
  ),
  steps: fc.array(
    fc.array(
      fc.tuple(
        fc.noBias(fc.nat({ max: SLOTS.length - 1 })),
        fc.noBias(fc.nat({ max: 100 })),
      ),
      { minLength: 1, maxLength: 3 },
    ),
    { minLength: 1, maxLength: 8 },
  ),
  // Before each step, how many objects `readAhead` reads (as the backend does between requests).
  readAhead: fc.array(fc.nat({ max: 8 }), { minLength: 8, maxLength: 8 }),
  // Per step, whether it is taken a step at a time (`applySteps`, as the backend does).
  stepped: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  // Per step, whether the engines' graphs are built before their traffic is compared (the
  // backend builds them; left unfinished, the next change carries an unfinished graph over).
  built: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
});

const refOf = (w: { namespace: string; name: string; kind: string }) => ({
  namespace: w.namespace,
  name: w.name,
  kind: w.kind,
});
const wkey = (w: { namespace: string; name: string; kind: string }) =>
  `${w.namespace}/${w.kind}/${w.name}`;

/**
 * Observed traffic between every workload the slots can hold, on declared ports and one no
 * template declares, plaintext and mTLS, from workloads, an identity and outside the mesh: what
 * the traffic join reads of each workload's info (mesh, ports and their modes, identity, pods).
 */
const OBSERVED = (() => {
  const names = ['shop/a', 'shop/b', 'other/c', 'ld/l'];
  const flows: ObservedFlow[] = [];
  for (const to of names) {
    for (const [i, from] of names.entries()) {
      if (from === to) continue;
      const [ns, name] = from.split('/');
      flows.push(
        flow(to, fromWorkload(ns, name), counts(10 * i, i % 2), {
          port: [8080, 9090, 7070][i % 3],
        }),
      );
    }
    flows.push(
      flow(to, fromUnknown, counts(0, 3), { port: 8080 }),
      flow(
        to,
        fromIdentity('spiffe://cluster.local/ns/shop/sa/shared'),
        counts(4, 0, 1),
        { port: 9090 },
      ),
    );
  }
  return observations(flows, { cluster: CLUSTER });
})();

/**
 * What a fresh traffic join of `engine` answers about each workload. With `build`, once its
 * access graph is built (as the backend builds it before serving views: its context then keeps
 * no infos); without, the graph is left as it is (a graph carried over unfinished is a case of
 * its own). A join per call: each asks the engine's context for the infos anew, as a page view's
 * first join does.
 */
function trafficOf(
  engine: Engine,
  workloads: Array<{ namespace: string; name: string; kind: string }>,
  build = false,
) {
  if (build) engine.accessGraph().buildStep(Infinity);
  const join = engine.traffic(OBSERVED);
  return new Map(
    workloads.map(w => [
      wkey(w),
      {
        workload: join.workload(refOf(w)),
        callers: join.callers(refOf(w)),
        callees: join.callees(refOf(w)),
        findings: join.findings(refOf(w)),
      },
    ]),
  );
}

/** From scratch: the expected state, and every workload's callers. */
function scratch(objects: Map<string, unknown>) {
  const read = readObjects([...objects.values()], { cluster: CLUSTER });
  const engine = createEngine(read.snapshot, { cluster: CLUSTER });
  const evaluation = engine.evaluate();
  const callers = new Map<string, AccessEdge[]>(
    evaluation.workloads.map(w => [wkey(w), engine.callersOf(refOf(w))]),
  );
  // The whole graph: what a graph carried over from the snapshot before must answer too.
  const graph = new Map(
    evaluation.workloads.map(w => [
      wkey(w),
      {
        callees: engine.calleesOf(refOf(w)),
        blocked: engine.blockedCallersOf(refOf(w)),
      },
    ]),
  );
  return {
    snapshot: read.snapshot,
    workloads: evaluation.workloads,
    findings: [...read.findings, ...evaluation.findings],
    callers,
    graph,
    traffic: trafficOf(engine, evaluation.workloads),
  };
}

function expectEquivalent(
  inc: IncrementalEvaluator,
  expected: ReturnType<typeof scratch>,
  build = false,
) {
  expect(inc.snapshot).toEqual(expected.snapshot);
  expect(inc.workloads).toEqual(expected.workloads);
  expect(inc.findings).toEqual(expected.findings);
  for (const w of inc.workloads) {
    expect(inc.engine.callersOf(refOf(w))).toEqual(
      expected.callers.get(wkey(w)),
    );
    expect({
      callees: inc.engine.calleesOf(refOf(w)),
      blocked: inc.engine.blockedCallersOf(refOf(w)),
    }).toEqual(expected.graph.get(wkey(w)));
  }
  expect(trafficOf(inc.engine, inc.workloads, build)).toEqual(expected.traffic);
}

/**
 * Applies `changes` a step at a time, as the backend does between requests: between the steps
 * (and after them) the engine taken before answers as before, `readAhead` reads nothing, and
 * no other apply may start. With `build`, the engine taken before has its graph built at the
 * first step (its context then reads the infos the evaluator keeps, which the change replaces).
 * Returns the scope.
 */
function applyServing(
  inc: IncrementalEvaluator,
  changes: ObjectChange[],
  before: ReturnType<typeof scratch>,
  build = false,
): ChangeScope {
  const served = inc.engine;
  const serves = () => {
    for (const [key, callers] of before.callers) {
      const [ns, kind, name] = key.split('/');
      expect(served.callersOf({ namespace: ns, kind, name })).toEqual(callers);
    }
    // The infos it reads are those of its own snapshot, not those the change computes.
    expect(trafficOf(served, before.workloads, build)).toEqual(before.traffic);
  };
  const steps = inc.applySteps(changes);
  for (;;) {
    const step = steps.next();
    if (step.done) {
      serves();
      return step.value;
    }
    const unread = inc.readAhead(() => false);
    expect(inc.readAhead(() => true)).toBe(unread);
    expect(() => inc.applySteps([]).next()).toThrow(/in progress/);
    serves();
  }
}

/** What the backend may rely on: targets outside the scope keep their callers. */
function expectScopeHolds(
  scope: ChangeScope,
  before: ReturnType<typeof scratch>,
  after: ReturnType<typeof scratch>,
  postures: Map<string, unknown>,
  inc: IncrementalEvaluator,
) {
  if (scope.all) {
    expect(scope.reason).toBeTruthy();
    return;
  }
  const inScope = new Set(scope.workloads);
  for (const w of inc.workloads) {
    const key = wkey(w);
    if (inScope.has(key)) continue;
    // Not re-evaluated: the same posture object as before.
    expect(postures.get(key)).toBe(w);
    if (!scope.sourcesChanged)
      expect({ key, callers: after.callers.get(key) }).toEqual({
        key,
        callers: before.callers.get(key),
      });
  }
  // Removed workloads are in the scope.
  for (const key of before.callers.keys())
    if (!after.callers.has(key)) expect(inScope.has(key)).toBe(true);
}

describe('incremental evaluation', () => {
  it('equals evaluation from scratch after every change', () => {
    let runs = 0;
    let steps = 0;
    let bounded = 0;
    fc.assert(
      fc.property(
        scenario,
        ({ initial, steps: sequence, readAhead, stepped, built }) => {
          runs++;
          const objects = new Map<string, unknown>();
          SLOTS.forEach((variants, i) => {
            const o = variants[initial[i]];
            if (o) objects.set(keyOfSlot[i], o);
          });
          const inc = createIncrementalEvaluator(
            [...objects].map(([key, object]) => ({ key, object })),
            { cluster: CLUSTER },
          );
          let before = scratch(objects);
          expectEquivalent(inc, before);
          for (const [n, step] of sequence.entries()) {
            let budget = readAhead[n];
            inc.readAhead(() => budget-- > 0);
            const changes = step.map(([slot, pick]) => {
              const variants = SLOTS[slot];
              const object = variants[pick % variants.length];
              const key = keyOfSlot[slot];
              if (object) objects.set(key, object);
              else objects.delete(key);
              return { key, object };
            });
            const postures = new Map(inc.workloads.map(w => [wkey(w), w]));
            const scope = stepped[n]
              ? applyServing(inc, changes, before, built[n])
              : inc.apply(changes);
            const after = scratch(objects);
            expectEquivalent(inc, after, built[n]);
            expectScopeHolds(scope, before, after, postures, inc);
            steps++;
            if (!scope.all) bounded++;
            before = after;
          }
        },
      ),
      { numRuns: Number(process.env.INCREMENTAL_RUNS ?? 150) },
    );
    // Most steps stay bounded (the generator's changes are mostly namespaced).
    expect(bounded).toBeGreaterThan(steps / 2);
    expect(runs).toBeGreaterThan(0);
  });

  const estate = (): Obj[] => [
    namespace('istio-system'),
    namespace('shop', { 'istio-injection': 'enabled' }),
    namespace('other', { 'istio-injection': 'enabled' }),
    deployment('shop', 'a'),
    deployment('shop', 'b'),
    deployment('other', 'c'),
    pod('shop', 'a', 'a-7d9f-x1', { ip: '10.0.0.1', proxy: true }),
    pod('shop', 'b', 'b-7d9f-y1', { ip: '10.0.0.2', proxy: true }),
    pod('other', 'c', 'c-7d9f-z1', { ip: '10.0.0.3', proxy: true }),
    peerAuthentication('shop', 'default', { mtls: { mode: 'STRICT' } }),
    service('shop', 'b', { app: 'b' }, [{ port: 80, targetPort: 8080 }]),
  ];
  const start = () => {
    const objects = new Map(estate().map(o => [keyOf(o), o as unknown]));
    const inc = createIncrementalEvaluator(
      [...objects].map(([key, object]) => ({ key, object })),
      { cluster: CLUSTER },
    );
    return { objects, inc };
  };

  it('re-evaluates only its workload when a pod is replaced from the same template', () => {
    const { objects, inc } = start();
    const old = pod('shop', 'b', 'b-7d9f-y1', { ip: '10.0.0.2', proxy: true });
    const replacement = pod('shop', 'b', 'b-7d9f-y2', {
      ip: '10.0.0.7',
      proxy: true,
    });
    const untouched = inc.workloads.filter(w => w.name !== 'b');
    const scope = inc.apply([
      { key: keyOf(old) },
      { key: keyOf(replacement), object: replacement },
    ]);
    objects.delete(keyOf(old));
    objects.set(keyOf(replacement), replacement);
    expect(scope).toEqual({
      all: false,
      workloads: ['shop/Deployment/b'],
      sourcesChanged: false,
    });
    expectEquivalent(inc, scratch(objects));
    for (const w of untouched) expect(inc.workloads).toContain(w);
  });

  it('reads again only the workloads pods left or joined, and whole namespaces when unsure', () => {
    const { objects, inc } = start();
    const change = (o: Obj, present = true) => {
      const untouched = inc.workloads.filter(w => w.name !== 'a');
      inc.apply([{ key: keyOf(o), ...(present ? { object: o } : {}) }]);
      if (present) objects.set(keyOf(o), o);
      else objects.delete(keyOf(o));
      expectEquivalent(inc, scratch(objects));
      return untouched;
    };
    const sibling = pod('shop', 'a', 'a-7d9f-x2', { ip: '10.0.0.5' });
    change(sibling);
    // Joins the workload of the unchanged pod with the same owner references.
    const third = pod('shop', 'a', 'a-7d9f-x3', {
      ip: '10.0.0.6',
      proxy: true,
    });
    for (const w of change(third)) expect(inc.workloads).toContain(w);
    expect(
      inc.snapshot.workloads.find(w => w.name === 'a')!.pods.map(p => p.name),
    ).toEqual(['a-7d9f-x1', 'a-7d9f-x2', 'a-7d9f-x3']);
    // Left: its workload read again without it.
    for (const w of change(sibling, false)) expect(inc.workloads).toContain(w);
    // A ReplicaSet no other pod names (a rollout): the namespace is read whole.
    const rollout = pod('shop', 'a', 'a-5c4b-r1', {
      labels: { 'pod-template-hash': '5c4b' },
    });
    (
      rollout.metadata as { ownerReferences: Array<{ name: string }> }
    ).ownerReferences[0].name = 'a-5c4b';
    change(rollout);
    // A bare pod: a workload of its own appears, and goes.
    const solo = pod('shop', undefined, 'solo', { ip: '10.0.0.9' });
    change(solo);
    change(solo, false);
    // A pod and a controller at once: the namespace whole.
    const edited = deployment('shop', 'b', { labels: { tier: 'web' } });
    const replacement = pod('shop', 'b', 'b-7d9f-y9', { ip: '10.0.0.4' });
    inc.apply([
      { key: keyOf(edited), object: edited },
      { key: keyOf(replacement), object: replacement },
    ]);
    objects.set(keyOf(edited), edited);
    objects.set(keyOf(replacement), replacement);
    expectEquivalent(inc, scratch(objects));
  });

  it('keeps the policy-level findings while only pods change alike', () => {
    const { objects, inc } = start();
    const policy = authorizationPolicy('shop', 'allow-b', {
      selector: { matchLabels: { app: 'b' } },
      rules: [{ when: [{ key: 'source.color', values: ['blue'] }] }],
    });
    inc.apply([{ key: keyOf(policy), object: policy }]);
    objects.set(keyOf(policy), policy);
    const ofPolicy = () =>
      inc.findings.filter(f => f.object.name === 'allow-b');
    const found = ofPolicy();
    expect(found.map(f => f.message)).toEqual([
      'uses the unknown condition key source.color',
    ]);
    // A pod replaced from the same template: the same finding objects, kept.
    const replace = (from: Obj, to: Obj) => {
      inc.apply([{ key: keyOf(from) }, { key: keyOf(to), object: to }]);
      objects.delete(keyOf(from));
      objects.set(keyOf(to), to);
      expectEquivalent(inc, scratch(objects));
    };
    const first = pod('shop', 'b', 'b-7d9f-y1', {
      ip: '10.0.0.2',
      proxy: true,
    });
    const second = pod('shop', 'b', 'b-7d9f-y2', {
      ip: '10.0.0.7',
      proxy: true,
    });
    replace(first, second);
    expect(ofPolicy()[0]).toBe(found[0]);
    // Replaced by a pod without a sidecar: the workload's membership changed, so they are
    // computed again (equal here, as a fresh evaluation gives them).
    const plain = pod('shop', 'b', 'b-7d9f-y3', { ip: '10.0.0.8' });
    replace(second, plain);
    expect(ofPolicy()[0]).not.toBe(found[0]);
    expect(ofPolicy()).toEqual(found);
  });

  it('keeps callers when a pod is deleted, then its replacement added (watch events)', () => {
    const { objects, inc } = start();
    const extra = pod('shop', 'b', 'b-7d9f-y2', {
      ip: '10.0.0.8',
      proxy: true,
    });
    inc.apply([{ key: keyOf(extra), object: extra }]);
    objects.set(keyOf(extra), extra);
    const old = pod('shop', 'b', 'b-7d9f-y1', { ip: '10.0.0.2', proxy: true });
    const replacement = pod('shop', 'b', 'b-7d9f-y3', {
      ip: '10.0.0.9',
      proxy: true,
    });
    for (const change of [
      { key: keyOf(old) },
      { key: keyOf(replacement), object: replacement },
    ]) {
      const before = scratch(objects);
      const scope = inc.apply([change]);
      if (change.object) objects.set(change.key, change.object);
      else objects.delete(change.key);
      expect(scope).toEqual({
        all: false,
        workloads: ['shop/Deployment/b'],
        sourcesChanged: false,
      });
      const after = scratch(objects);
      expectEquivalent(inc, after);
      const others = [...after.callers].filter(
        ([key]) => key !== 'shop/Deployment/b',
      );
      expect(others).toEqual(
        others.map(([key]) => [key, before.callers.get(key)]),
      );
    }
  });

  it('keeps a namespace PeerAuthentication change within its namespace', () => {
    const { objects, inc } = start();
    const edited = peerAuthentication('shop', 'default', {
      mtls: { mode: 'PERMISSIVE' },
    });
    const c = inc.workloads.find(w => w.name === 'c');
    const scope = inc.apply([{ key: keyOf(edited), object: edited }]);
    objects.set(keyOf(edited), edited);
    expect(scope.all).toBe(false);
    expect(scope.sourcesChanged).toBe(false);
    expect([...scope.workloads].sort()).toEqual([
      'shop/Deployment/a',
      'shop/Deployment/b',
    ]);
    expect(inc.workloads.find(w => w.name === 'c')).toBe(c);
    expectEquivalent(inc, scratch(objects));
  });

  it("marks a client namespace's DestinationRule as changing callers", () => {
    const { objects, inc } = start();
    const before = scratch(objects);
    const rule = destinationRule('other', 'to-b', {
      host: 'b.shop.svc.cluster.local',
      trafficPolicy: { tls: { mode: 'DISABLE' } },
    });
    const scope = inc.apply([{ key: keyOf(rule), object: rule }]);
    objects.set(keyOf(rule), rule);
    const after = scratch(objects);
    // other/c now sends plaintext to STRICT shop/b: b's callers change, b is not in `other`.
    expect(after.callers.get('shop/Deployment/b')).not.toEqual(
      before.callers.get('shop/Deployment/b'),
    );
    expect(scope).toEqual({
      all: false,
      workloads: ['other/Deployment/c'],
      sourcesChanged: true,
    });
    expectEquivalent(inc, after);
  });

  it('re-evaluates everything for a mesh-wide policy, with the reason', () => {
    const { objects, inc } = start();
    const meshWide = peerAuthentication('istio-system', 'default', {
      mtls: { mode: 'PERMISSIVE' },
    });
    const scope = inc.apply([{ key: keyOf(meshWide), object: meshWide }]);
    objects.set(keyOf(meshWide), meshWide);
    expect(scope.all).toBe(true);
    expect(scope.reason).toMatch(/root namespace istio-system/);
    expect(scope.workloads).toHaveLength(3);
    expectEquivalent(inc, scratch(objects));
  });

  it('reads the other objects ahead in steps, answering the same', () => {
    const { objects, inc } = start();
    // Not pods or controllers: three Namespaces, the PeerAuthentication, the Service.
    expect(inc.readAhead(() => false)).toBe(5);
    let budget = 2;
    expect(inc.readAhead(() => budget-- > 0)).toBe(3);
    // An object changed before its turn is read with the change, not again.
    const edited = peerAuthentication('shop', 'default', {
      mtls: { mode: 'PERMISSIVE' },
    });
    inc.apply([{ key: keyOf(edited), object: edited }]);
    objects.set(keyOf(edited), edited);
    expectEquivalent(inc, scratch(objects));
    expect(inc.readAhead(() => true)).toBe(0);
    expect(inc.readAhead(() => true)).toBe(0);
    const service2 = service('other', 'c', { app: 'c' }, [
      { port: 80, targetPort: 8080 },
    ]);
    inc.apply([{ key: keyOf(service2), object: service2 }]);
    objects.set(keyOf(service2), service2);
    expectEquivalent(inc, scratch(objects));
  });

  it('takes a change a step at a time, the engine from before serving meanwhile', () => {
    const { objects, inc } = start();
    const before = scratch(objects);
    const served = inc.engine;
    const meshWide = peerAuthentication('istio-system', 'default', {
      mtls: { mode: 'PERMISSIVE' },
    });
    const steps = inc.applySteps([{ key: keyOf(meshWide), object: meshWide }]);
    let taken = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) {
      taken++;
      expect(() => inc.engine).toThrow(/apply is in progress/);
      expect(() => inc.apply([])).toThrow(/apply is in progress/);
      expect(
        served.callersOf({ namespace: 'shop', kind: 'Deployment', name: 'b' }),
      ).toEqual(before.callers.get('shop/Deployment/b'));
      expect(trafficOf(served, before.workloads, true)).toEqual(before.traffic);
    }
    // Done: the engine from before still reads its own snapshot's infos.
    expect(trafficOf(served, before.workloads, true)).toEqual(before.traffic);
    objects.set(keyOf(meshWide), meshWide);
    // The change, a namespace re-read, the context, three workloads, the policy findings.
    expect(taken).toBeGreaterThanOrEqual(6);
    expect(step.value.all).toBe(true);
    expectEquivalent(inc, scratch(objects));
    // Done: the next apply may start.
    expect(inc.apply([]).workloads).toEqual([]);
  });

  it('reads what was not read ahead a step per object, within the change', () => {
    const edited = peerAuthentication('shop', 'default', {
      mtls: { mode: 'PERMISSIVE' },
    });
    const stepsOf = (inc: IncrementalEvaluator) => {
      const steps = inc.applySteps([{ key: keyOf(edited), object: edited }]);
      let taken = 0;
      while (!steps.next().done) taken++;
      return taken;
    };
    const ahead = start();
    expect(ahead.inc.readAhead(() => true)).toBe(0);
    const notAhead = start();
    // The three Namespaces and the Service (the PeerAuthentication is read with its change).
    expect(stepsOf(notAhead.inc) - stepsOf(ahead.inc)).toBe(4);
    ahead.objects.set(keyOf(edited), edited);
    expectEquivalent(notAhead.inc, scratch(ahead.objects));
  });

  it('takes the objects read ahead into the base a few hundred per step', () => {
    const edited = peerAuthentication('shop', 'default', {
      mtls: { mode: 'PERMISSIVE' },
    });
    const stepsOf = (extra: number) => {
      const objects = new Map(estate().map(o => [keyOf(o), o as unknown]));
      for (let i = 0; i < extra; i++) {
        const s = service('other', `s-${i}`, { app: `s-${i}` }, [
          { port: 80, targetPort: 8080 },
        ]);
        objects.set(keyOf(s), s);
      }
      const inc = createIncrementalEvaluator(
        [...objects].map(([key, object]) => ({ key, object })),
        { cluster: CLUSTER },
      );
      expect(inc.readAhead(() => true)).toBe(0);
      const steps = inc.applySteps([{ key: keyOf(edited), object: edited }]);
      let taken = 0;
      while (!steps.next().done) taken++;
      objects.set(keyOf(edited), edited);
      expectEquivalent(inc, scratch(objects));
      return taken;
    };
    // 600 more Services, all read ahead: two more steps (one per 256 objects taken in), not
    // one block however many objects the cluster holds.
    expect(stepsOf(600) - stepsOf(0)).toBe(2);
  });

  it('carries the graph over a step at a time', () => {
    const edited = authorizationPolicy('other', 'allow-c', {
      selector: { matchLabels: { app: 'c' } },
      rules: [{}],
    });
    const stepsOf = (inc: IncrementalEvaluator) => {
      const steps = inc.applySteps([{ key: keyOf(edited), object: edited }]);
      let taken = 0;
      let step = steps.next();
      for (; !step.done; step = steps.next()) taken++;
      return { taken, scope: step.value };
    };
    const withGraph = start();
    withGraph.inc.engine.accessGraph().buildStep(Infinity);
    const withoutGraph = start();
    for (const { inc } of [withGraph, withoutGraph])
      expect(inc.readAhead(() => true)).toBe(0);
    const graphless = stepsOf(withoutGraph.inc);
    const carried = stepsOf(withGraph.inc);
    const workloads = withGraph.inc.workloads.length;
    expect(carried.scope).toEqual(graphless.scope);
    expect(carried.scope.all).toBe(false);
    // One before the graph, a step per workload keyed into its caller group, one before the
    // carry-over, a step per target carried (those outside the change).
    expect(carried.taken - graphless.taken).toBe(
      1 + workloads + 1 + (workloads - carried.scope.workloads.length),
    );
    withGraph.objects.set(keyOf(edited), edited);
    expectEquivalent(withGraph.inc, scratch(withGraph.objects));
  });

  it('lists the policy findings a step per family', () => {
    const { objects } = start();
    const { snapshot } = readObjects([...objects.values()], {
      cluster: CLUSTER,
    });
    const context = new EngineContext(snapshot, { cluster: CLUSTER });
    const steps = policyFindingSteps(context);
    let taken = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) taken++;
    expect(taken).toBe(6);
    expect(step.value.length).toBeGreaterThan(0);
    expect(step.value).toEqual(
      policyFindings(new EngineContext(snapshot, { cluster: CLUSTER })),
    );
  });

  it('ignores changes that change nothing', () => {
    const { inc } = start();
    const same = deployment('shop', 'a');
    const workloads = inc.workloads;
    const scope = inc.apply([{ key: keyOf(same), object: same }]);
    expect(scope).toEqual({ all: false, workloads: [], sourcesChanged: false });
    expect(inc.workloads).toEqual(workloads);
  });
});
