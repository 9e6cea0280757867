import fc from 'fast-check';
import {
  Obj,
  authorizationPolicy,
  deployment,
  destinationRule,
  linkerdAuthorizationPolicy,
  linkerdServer,
  meshTlsAuthentication,
  namespace,
  networkPolicy,
  peerAuthentication,
  service,
} from '../__testUtils__/k8s';
import { Snapshot } from '../model';
import {
  AccessGraph,
  GraphChange,
  carryOutcome,
  createAccessGraph,
} from './accessGraph';
import { EngineContext } from './core/context';
import { readObjects } from './core/reader';
import { createIncrementalEvaluator } from './incremental';

/*
 * Carry-over of the access graph (docs/engine.md "Access graph"): a graph started from the
 * previous snapshot's graph, with the targets of a bounded change recomputed, answers exactly
 * what a graph built from scratch over the new snapshot answers — callers, callees and blocked
 * callers of every workload — whether either graph was built completely or not. Changes are
 * bounded ones: a pod replaced from the same template, a namespace's PeerAuthentication,
 * AuthorizationPolicy, ingress NetworkPolicy or Linkerd Server edited, a port added; the scope
 * comes from the incremental evaluator (engine/incremental.ts) and, independently, from the
 * test's own conservative reckoning.
 */

type Labels = Record<string, string>;
type Generated<A> = A extends fc.Arbitrary<infer T> ? T : never;

const CLUSTER = 'c';
const OPTIONS = { cluster: CLUSTER };

const MESHES: Record<
  string,
  { labels: Labels; annotations?: Labels; proxy?: string }
> = {
  shop: {
    labels: { 'istio-injection': 'enabled', team: 'a' },
    proxy: 'istio-proxy',
  },
  mall: {
    labels: { 'istio-injection': 'enabled', team: 'b' },
    proxy: 'istio-proxy',
  },
  amb: { labels: { 'istio.io/dataplane-mode': 'ambient', team: 'a' } },
  lk: {
    labels: { team: 'b' },
    annotations: { 'linkerd.io/inject': 'enabled' },
    proxy: 'linkerd-proxy',
  },
  legacy: { labels: { team: 'a' } },
};
const NS = Object.keys(MESHES);
const ISTIO_NS = ['shop', 'mall', 'amb'];

const keyOf = (o: Obj) => {
  const m = o.metadata as { namespace?: string; name: string };
  return `${o.apiVersion}/${o.kind}/${m.namespace ?? ''}/${m.name}`;
};

interface WorkloadSpec {
  ns: string;
  tier: string;
  sharedSa: boolean;
  metrics: boolean;
  pods: number;
}

function pod(
  spec: WorkloadSpec,
  owner: string,
  name: string,
  ip: string,
  metrics = spec.metrics,
): Obj {
  const proxy = MESHES[spec.ns].proxy;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: spec.ns,
      labels: { app: owner, tier: spec.tier, 'pod-template-hash': '7d9f' },
      ownerReferences: [
        { kind: 'ReplicaSet', name: `${owner}-7d9f`, controller: true },
      ],
    },
    spec: {
      serviceAccountName: spec.sharedSa ? 'shared' : owner,
      containers: [
        {
          name: 'app',
          image: 'example/app:1',
          ports: [
            { containerPort: 8080 },
            ...(metrics ? [{ containerPort: 9090 }] : []),
          ],
        },
        ...(proxy ? [{ name: proxy }] : []),
      ],
    },
    status: { phase: 'Running', podIP: ip },
  };
}

function workloadObjects(
  spec: WorkloadSpec,
  i: number,
  metrics = spec.metrics,
) {
  const name = `w${i}`;
  return [
    deployment(spec.ns, name, {
      labels: { tier: spec.tier },
      sa: spec.sharedSa ? 'shared' : undefined,
      ports: metrics ? [8080, 9090] : [8080],
    }),
    ...Array.from({ length: spec.pods }, (_, p) =>
      pod(spec, name, `${name}-7d9f-${p}`, `10.1.${i}.${p + 1}`, metrics),
    ),
  ];
}

const workloadSpec: fc.Arbitrary<WorkloadSpec> = fc.record({
  ns: fc.constantFrom(...NS),
  tier: fc.constantFrom('frontend', 'backend'),
  sharedSa: fc.boolean(),
  metrics: fc.boolean(),
  pods: fc.integer({ min: 1, max: 2 }),
});

const principal = fc.constantFrom(
  '*',
  'cluster.local/ns/shop/sa/w0',
  'cluster.local/ns/mall/sa/w1',
  'cluster.local/ns/shop/*',
  'cluster.local/ns/amb/sa/shared',
  '*/sa/w2',
);
const source = fc
  .record(
    {
      principals: fc.array(principal, { minLength: 1, maxLength: 2 }),
      namespaces: fc.array(fc.constantFrom(...NS), {
        minLength: 1,
        maxLength: 2,
      }),
      notNamespaces: fc.array(fc.constantFrom(...NS), {
        minLength: 1,
        maxLength: 1,
      }),
      ipBlocks: fc.constantFrom(['10.1.0.0/16'], ['10.1.1.0/24']),
    },
    { requiredKeys: [] },
    // Istio's validation refuses an empty source (MS401).
  )
  .filter(s => Object.keys(s).length > 0);
const authorizationSpec = fc.record({
  action: fc.constantFrom('ALLOW', 'DENY'),
  selector: fc.constantFrom(undefined, 'w0', 'w1', 'w2'),
  rules: fc.array(
    fc.record(
      {
        from: fc.array(fc.record({ source }), { minLength: 1, maxLength: 2 }),
        to: fc.constant([{ operation: { ports: ['8080'] } }]),
      },
      { requiredKeys: [] },
    ),
    { minLength: 0, maxLength: 2 },
  ),
});
const netpolPeer = fc.constantFrom<Obj>(
  { podSelector: {} },
  { podSelector: { matchLabels: { tier: 'frontend' } } },
  { namespaceSelector: { matchLabels: { team: 'a' } } },
  {
    namespaceSelector: {},
    podSelector: { matchLabels: { tier: 'backend' } },
  },
  { ipBlock: { cidr: '10.1.0.0/16' } },
);
const ingressSpec = fc.record({
  selector: fc.constantFrom<Obj>({}, { matchLabels: { tier: 'backend' } }),
  peers: fc.array(netpolPeer, { minLength: 0, maxLength: 2 }),
  port: fc.constantFrom(undefined, 8080),
});
const paMode = fc.constantFrom('STRICT', 'PERMISSIVE', 'DISABLE', undefined);

/** Policy slots: a key, and the object a generated value gives (undefined: absent). */
const SLOTS = {
  pa: (ns: string, mode: string | undefined) =>
    mode && peerAuthentication(ns, 'default', { mtls: { mode } }),
  paPort: (ns: string, mode: string | undefined) =>
    mode &&
    peerAuthentication(ns, 'port', {
      selector: { matchLabels: { tier: 'backend' } },
      mtls: { mode: 'STRICT' },
      portLevelMtls: { 9090: { mode } },
    }),
  ap: (ns: string, n: number, a?: Generated<typeof authorizationSpec>) =>
    a &&
    authorizationPolicy(ns, `ap${n}`, {
      action: a.action,
      ...(a.selector ? { selector: { matchLabels: { app: a.selector } } } : {}),
      rules: a.rules,
    }),
  np: (ns: string, n: number, s?: Generated<typeof ingressSpec>) =>
    s &&
    networkPolicy(ns, `np${n}`, {
      podSelector: s.selector,
      policyTypes: ['Ingress'],
      ingress: [
        {
          ...(s.peers.length > 0 ? { from: s.peers } : {}),
          ...(s.port ? { ports: [{ port: s.port }] } : {}),
        },
      ],
    }),
  server: (policy: string | undefined) =>
    policy &&
    linkerdServer('lk', 'srv', {
      podSelector: { matchLabels: { tier: 'backend' } },
      port: 8080,
      accessPolicy: policy,
    }),
};
const serverPolicy = fc.constantFrom(
  'deny',
  'all-authenticated',
  'all-unauthenticated',
  undefined,
);

const estate = fc.record({
  workloads: fc.array(workloadSpec, { minLength: 2, maxLength: 7 }),
  pa: fc.tuple(...NS.map(() => paMode)),
  paPort: fc.tuple(...ISTIO_NS.map(() => paMode)),
  ap: fc.array(
    fc.record({
      ns: fc.constantFrom(...ISTIO_NS),
      spec: fc.option(authorizationSpec, { nil: undefined }),
    }),
    { maxLength: 3 },
  ),
  rootDeny: fc.boolean(),
  np: fc.array(
    fc.record({
      ns: fc.constantFrom(...NS),
      spec: fc.option(ingressSpec, { nil: undefined }),
    }),
    { maxLength: 3 },
  ),
  egress: fc.boolean(),
  server: serverPolicy,
  linkerdAuth: fc.boolean(),
  clientTls: fc.boolean(),
});
type Estate = Generated<typeof estate>;

/** One bounded change (indexes are taken modulo what the estate has). */
const change = fc.oneof(
  {
    // Pods are replaced most often; a new address leaves the ipBlocks of the estate.
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('pod-replaced' as const),
      workload: fc.nat(),
      newIp: fc.boolean(),
    }),
  },
  fc.record({
    kind: fc.constant('pa' as const),
    ns: fc.nat(),
    mode: paMode,
  }),
  fc.record({
    kind: fc.constant('pa-port' as const),
    ns: fc.nat(),
    mode: paMode,
  }),
  fc.record({
    kind: fc.constant('ap' as const),
    slot: fc.nat(),
    spec: fc.option(authorizationSpec, { nil: undefined }),
  }),
  fc.record({
    kind: fc.constant('np' as const),
    slot: fc.nat(),
    spec: fc.option(ingressSpec, { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('port' as const), workload: fc.nat() }),
  fc.record({ kind: fc.constant('server' as const), policy: serverPolicy }),
);
type Change = Generated<typeof change>;

function objectsOf(e: Estate): Map<string, Obj> {
  const out = new Map<string, Obj>();
  const add = (o: Obj | undefined | '' | false) => {
    if (o) out.set(keyOf(o), o);
  };
  add(namespace('istio-system'));
  for (const ns of NS)
    add(namespace(ns, MESHES[ns].labels, MESHES[ns].annotations));
  e.workloads.forEach((w, i) => {
    workloadObjects(w, i).forEach(add);
    add(
      service(w.ns, `w${i}`, { app: `w${i}` }, [
        { port: 80, targetPort: 8080, name: 'http' },
      ]),
    );
  });
  NS.forEach((ns, i) => add(SLOTS.pa(ns, e.pa[i])));
  ISTIO_NS.forEach((ns, i) => add(SLOTS.paPort(ns, e.paPort[i])));
  e.ap.forEach((a, i) => add(SLOTS.ap(a.ns, i, a.spec)));
  e.np.forEach((n, i) => add(SLOTS.np(n.ns, i, n.spec)));
  if (e.rootDeny)
    add(
      authorizationPolicy('istio-system', 'deny-legacy', {
        action: 'DENY',
        rules: [{ from: [{ source: { namespaces: ['legacy'] } }] }],
      }),
    );
  if (e.egress)
    add(
      networkPolicy('mall', 'egress', {
        podSelector: { matchLabels: { tier: 'frontend' } },
        policyTypes: ['Egress'],
        egress: [
          { to: [{ namespaceSelector: { matchLabels: { team: 'a' } } }] },
        ],
      }),
    );
  add(SLOTS.server(e.server));
  if (e.linkerdAuth) {
    add(
      linkerdAuthorizationPolicy('lk', 'auth', {
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'srv' },
        requiredAuthenticationRefs: [
          {
            group: 'policy.linkerd.io',
            kind: 'MeshTLSAuthentication',
            name: 'ids',
          },
        ],
      }),
    );
    add(
      meshTlsAuthentication('lk', 'ids', {
        identities: ['*.lk.serviceaccount.identity.linkerd.cluster.local'],
      }),
    );
  }
  if (e.clientTls)
    add(
      destinationRule('mall', 'plain', {
        host: '*.shop.svc.cluster.local',
        trafficPolicy: { tls: { mode: 'DISABLE' } },
      }),
    );
  return out;
}

const wkey = (w: { namespace: string; kind: string; name: string }) =>
  `${w.namespace}/${w.kind}/${w.name}`;

/**
 * Applies a change to the objects; returns the object changes and the test's own scope: the
 * workloads whose objects changed or whose namespace holds the edited policy (conservative);
 * a new pod IP is a caller change when some policy reads addresses.
 */
function applyChange(
  e: Estate,
  objects: Map<string, Obj>,
  c: Change,
): { changes: Array<{ key: string; object?: Obj }>; scope: GraphChange } {
  const changes: Array<{ key: string; object?: Obj }> = [];
  const set = (key: string, object: Obj | undefined | '') => {
    if (object) objects.set(key, object);
    else objects.delete(key);
    changes.push({ key, object: object || undefined });
  };
  const inNamespace = (ns: string) =>
    e.workloads.flatMap((w, i) =>
      w.ns === ns ? [`${ns}/Deployment/w${i}`] : [],
    );
  const bounded = (workloads: string[], sourcesChanged = false) => ({
    changes,
    scope: { all: false, workloads, sourcesChanged },
  });
  switch (c.kind) {
    case 'pod-replaced': {
      const i = c.workload % e.workloads.length;
      const w = e.workloads[i];
      const old = pod(w, `w${i}`, `w${i}-7d9f-0`, `10.1.${i}.1`);
      const ip = c.newIp ? `10.2.${i}.9` : `10.1.${i}.1`;
      set(keyOf(old), undefined);
      const replacement = pod(w, `w${i}`, `w${i}-7d9f-r`, ip);
      set(keyOf(replacement), replacement);
      const readsIps = [...objects.values()].some(
        o =>
          o.kind !== 'Pod' && /ipblock|cidr|network/i.test(JSON.stringify(o)),
      );
      return bounded([`${w.ns}/Deployment/w${i}`], c.newIp && readsIps);
    }
    case 'port': {
      const i = c.workload % e.workloads.length;
      const w = e.workloads[i];
      for (const o of workloadObjects(w, i, !w.metrics)) set(keyOf(o), o);
      return bounded([`${w.ns}/Deployment/w${i}`]);
    }
    case 'pa': {
      const ns = NS[c.ns % NS.length];
      set(keyOf(peerAuthentication(ns, 'default', {})), SLOTS.pa(ns, c.mode));
      return bounded(inNamespace(ns));
    }
    case 'pa-port': {
      const ns = ISTIO_NS[c.ns % ISTIO_NS.length];
      set(keyOf(peerAuthentication(ns, 'port', {})), SLOTS.paPort(ns, c.mode));
      return bounded(inNamespace(ns));
    }
    case 'ap': {
      const slot = e.ap.length === 0 ? 0 : c.slot % e.ap.length;
      const ns = e.ap[slot]?.ns ?? 'shop';
      set(
        keyOf(authorizationPolicy(ns, `ap${slot}`, {})),
        SLOTS.ap(ns, slot, c.spec),
      );
      return bounded(inNamespace(ns));
    }
    case 'np': {
      const slot = e.np.length === 0 ? 0 : c.slot % e.np.length;
      const ns = e.np[slot]?.ns ?? 'legacy';
      set(
        keyOf(networkPolicy(ns, `np${slot}`, {})),
        SLOTS.np(ns, slot, c.spec),
      );
      return bounded(inNamespace(ns));
    }
    case 'server':
    default:
      set(keyOf(linkerdServer('lk', 'srv', {})), SLOTS.server(c.policy));
      return bounded(inNamespace('lk'));
  }
}

const refOf = (w: { namespace: string; kind: string; name: string }) => ({
  namespace: w.namespace,
  kind: w.kind,
  name: w.name,
});

/** Every workload's answers. */
function answersOf(graph: AccessGraph, snapshot: Snapshot) {
  return snapshot.workloads.map(w => ({
    workload: wkey(w),
    callers: graph.callersOf(refOf(w)),
    callees: graph.calleesOf(refOf(w)),
    blocked: graph.blockedCallersOf(refOf(w)),
  }));
}

/** A graph with `steps` targets evaluated (all of them when undefined). */
function graphOver(snapshot: Snapshot, steps?: number): AccessGraph {
  const graph = createAccessGraph(new EngineContext(snapshot, OPTIONS));
  if (steps === undefined) graph.buildStep(Infinity);
  else for (let i = 0; i < steps; i++) graph.buildStep(0);
  return graph;
}

/** How far each graph is built: the previous one (targets), the carried one before queries. */
const building = fc.record({
  previous: fc.option(fc.nat({ max: 8 }), { nil: undefined }),
  carriedBuilt: fc.boolean(),
  /** Every workload's lists asked of the previous graph (they carry over), or none. */
  queried: fc.boolean(),
});

/** The carried graph answers what a graph built from scratch answers, for every workload. */
function expectCarried(
  previous: AccessGraph,
  snapshot: Snapshot,
  scope: GraphChange,
  carriedBuilt: boolean,
  stats: { carried: number; fallback: number },
) {
  const carried = createAccessGraph(new EngineContext(snapshot, OPTIONS), {
    previous,
    scope,
  });
  const outcome = carryOutcome(carried)!;
  if (scope.all || scope.sourcesChanged) expect(outcome.fallback).toBeTruthy();
  else
    expect(outcome).toEqual({
      carried: expect.any(Number),
      kept: expect.any(Number),
    });
  if (outcome.fallback) stats.fallback++;
  else stats.carried++;
  const expected = answersOf(graphOver(snapshot), snapshot);
  if (carriedBuilt) carried.buildStep(Infinity);
  expect(answersOf(carried, snapshot)).toEqual(expected);
  // Queried before it was built: built now, the lists come from the whole graph.
  carried.buildStep(Infinity);
  expect(answersOf(carried, snapshot)).toEqual(expected);
}

function fixedEstate(): Estate {
  return {
    workloads: [
      {
        ns: 'shop',
        tier: 'backend',
        sharedSa: false,
        metrics: true,
        pods: 2,
      },
      {
        ns: 'shop',
        tier: 'frontend',
        sharedSa: false,
        metrics: false,
        pods: 1,
      },
      {
        ns: 'mall',
        tier: 'frontend',
        sharedSa: true,
        metrics: false,
        pods: 1,
      },
      {
        ns: 'legacy',
        tier: 'backend',
        sharedSa: false,
        metrics: false,
        pods: 1,
      },
    ],
    pa: NS.map(() => 'STRICT'),
    paPort: ISTIO_NS.map(() => undefined),
    ap: [],
    rootDeny: false,
    np: [],
    egress: false,
    server: undefined,
    linkerdAuth: false,
    clientTls: false,
  };
}

describe('access graph carry-over', () => {
  it('answers as a graph built from scratch after a bounded change (scope from the change itself)', () => {
    const stats = { carried: 0, fallback: 0 };
    fc.assert(
      fc.property(estate, change, building, (e, c, build) => {
        const objects = objectsOf(e);
        const before = readObjects([...objects.values()], OPTIONS).snapshot;
        const previous = graphOver(before, build.previous);
        if (build.queried) answersOf(previous, before);
        const { scope } = applyChange(e, objects, c);
        const after = readObjects([...objects.values()], OPTIONS).snapshot;
        expectCarried(previous, after, scope, build.carriedBuilt, stats);
      }),
      { numRuns: Number(process.env.CARRY_RUNS ?? 150) },
    );
    expect(stats.carried).toBeGreaterThan(stats.fallback);
  });

  it('answers as a graph built from scratch after a change the incremental evaluator scopes', () => {
    const stats = { carried: 0, fallback: 0 };
    fc.assert(
      fc.property(
        estate,
        fc.array(change, { minLength: 1, maxLength: 3 }),
        building,
        (e, steps, build) => {
          const objects = objectsOf(e);
          const inc = createIncrementalEvaluator(
            [...objects].map(([key, object]) => ({ key, object })),
            OPTIONS,
          );
          let previous = graphOver(inc.snapshot, build.previous);
          if (build.queried) answersOf(previous, inc.snapshot);
          for (const c of steps) {
            const { changes } = applyChange(e, objects, c);
            const scope = inc.apply(changes);
            expect(inc.snapshot).toEqual(
              readObjects([...objects.values()], OPTIONS).snapshot,
            );
            expectCarried(
              previous,
              inc.snapshot,
              scope,
              build.carriedBuilt,
              stats,
            );
            // The next step starts from a carried graph.
            previous = createAccessGraph(
              new EngineContext(inc.snapshot, OPTIONS),
              { previous, scope },
            );
            previous.buildStep(Infinity);
            if (build.queried) answersOf(previous, inc.snapshot);
          }
        },
      ),
      { numRuns: Number(process.env.CARRY_RUNS ?? 100) },
    );
    expect(stats.carried).toBeGreaterThan(0);
  });

  it('builds from scratch when the caller groups differ, whatever the change says', () => {
    const e = fixedEstate();
    const objects = objectsOf(e);
    const previous = graphOver(
      readObjects([...objects.values()], OPTIONS).snapshot,
    );
    // An egress policy isolates shop's frontends: a change of sources, reported as bounded.
    const egress = networkPolicy('shop', 'egress', {
      podSelector: { matchLabels: { tier: 'frontend' } },
      policyTypes: ['Egress'],
      egress: [],
    });
    objects.set(keyOf(egress), egress);
    const after = readObjects([...objects.values()], OPTIONS).snapshot;
    const carried = createAccessGraph(new EngineContext(after, OPTIONS), {
      previous,
      scope: { all: false, workloads: [], sourcesChanged: false },
    });
    expect(carryOutcome(carried)).toEqual({
      carried: 0,
      fallback: expect.stringMatching(/caller groups changed/),
    });
    expect(answersOf(carried, after)).toEqual(
      answersOf(graphOver(after), after),
    );
  });

  it('keeps the answers of unchanged workloads as they are, without copying them', () => {
    // The incremental evaluator keeps the objects of workloads that did not change; their
    // answers are then kept, not copied, and answer as a graph built from scratch does.
    const e = fixedEstate();
    const objects = objectsOf(e);
    const before = readObjects([...objects.values()], OPTIONS).snapshot;
    const previous = graphOver(before);
    const { scope } = applyChange(e, objects, {
      kind: 'pa',
      ns: NS.indexOf('shop'),
      mode: 'PERMISSIVE',
    });
    const fresh = readObjects([...objects.values()], OPTIONS).snapshot;
    const kept = new Map(before.workloads.map(w => [wkey(w), w]));
    const after: Snapshot = {
      ...fresh,
      workloads: fresh.workloads.map(w => {
        const was = kept.get(wkey(w));
        return was && JSON.stringify(was) === JSON.stringify(w) ? was : w;
      }),
    };
    const carried = createAccessGraph(new EngineContext(after, OPTIONS), {
      previous,
      scope,
    });
    expect(carryOutcome(carried)).toEqual({ carried: 2, kept: 2 });
    carried.buildStep(Infinity);
    expect(answersOf(carried, after)).toEqual(
      answersOf(graphOver(after), after),
    );
  });

  it('carries every target outside the change and recomputes the others', () => {
    const e = fixedEstate();
    const objects = objectsOf(e);
    const previous = graphOver(
      readObjects([...objects.values()], OPTIONS).snapshot,
    );
    const { scope } = applyChange(e, objects, {
      kind: 'pa',
      ns: NS.indexOf('shop'),
      mode: 'PERMISSIVE',
    });
    expect(scope.workloads).toEqual([
      'shop/Deployment/w0',
      'shop/Deployment/w1',
    ]);
    const after = readObjects([...objects.values()], OPTIONS).snapshot;
    const carried = createAccessGraph(new EngineContext(after, OPTIONS), {
      previous,
      scope,
    });
    // A snapshot read again holds new workload objects: the answers are copied.
    expect(carryOutcome(carried)).toEqual({ carried: 2, kept: 0 });
    expect(carried.stats().targets).toBe(2);
    carried.buildStep(Infinity);
    expect(carried.stats().targets).toBe(4);
    expect(answersOf(carried, after)).toEqual(
      answersOf(graphOver(after), after),
    );
    // Legacy's plaintext client may now call shop's workloads.
    expect(
      carried
        .calleesOf({ namespace: 'legacy', name: 'w3' })
        .map(x => (x.peer as { name?: string; namespace?: string }).namespace),
    ).toContain('shop');
  });
});
