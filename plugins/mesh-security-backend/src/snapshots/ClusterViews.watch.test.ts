import path from 'node:path';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { ManifestsSource } from '../sources/ManifestsSource';
import type { ClusterView } from './clusterView';
import { ClusterViews } from './ClusterViews';
import { SnapshotStore } from './SnapshotStore';
import { ClusterDelta, ClusterState, objectIdentity } from './types';

const demo = path.resolve(__dirname, '../../../../catalog/demo-cluster');

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
  };
  spec?: any;
};

/** The state a watching replica writes: watch mode, with the base it names. */
const watched = (
  generation: number,
  baseGeneration?: number,
): ClusterState => ({
  cluster: 'demo',
  source: 'kubernetes',
  status: 'ok',
  generation,
  ...(baseGeneration ? { baseGeneration } : {}),
  fetchedAt: new Date().toISOString(),
  consecutiveFailures: 0,
  kinds: [],
  requests: 0,
  objectCount: 0,
  watch: {
    confirmedAt: new Date().toISOString(),
    reconnecting: [],
    resourceVersions: {},
  },
});

/**
 * One instant for every view: a view's certificate findings count days left from the time it
 * is built (the demo's trust anchor expires within the warning window), and an incremental view
 * is compared with a fresh one built later, which must not cross a day boundary between them.
 */
const NOW = new Date();

const views = (store: SnapshotStore) =>
  new ClusterViews(store, {
    clusters: ['demo'],
    refreshIntervalSeconds: 60,
    certificateExpiryWarningDays: 30,
    now: () => NOW,
  });

/** What a replica answers of a view: postures, findings, and every workload's callers. */
function answers(view: ClusterView) {
  return {
    workloads: view.workloads,
    findings: view.findings,
    callers: view.workloads.map(w =>
      view.engine!.callersOf({
        cluster: 'demo',
        namespace: w.namespace,
        name: w.name,
        kind: w.kind,
      }),
    ),
  };
}

/** Every workload's applied policies, as the access graph lists them. */
const policiesOf = (view: ClusterView) =>
  view.workloads.map(w =>
    view
      .graph!.policiesOf({
        cluster: 'demo',
        namespace: w.namespace,
        name: w.name,
        kind: w.kind,
      })
      .map(p => `${p.kind}/${p.namespace}/${p.name}`),
  );

async function until(condition: () => boolean) {
  while (!condition()) await new Promise(r => setTimeout(r, 10));
}

const find = (objects: Obj[], kind: string, namespace: string, name: string) =>
  structuredClone(
    objects.find(
      o =>
        o.kind === kind &&
        (o.metadata.namespace ?? '') === namespace &&
        o.metadata.name === name,
    )!,
  );

/** The mesh-wide PeerAuthentication of the demo, edited to STRICT. */
function meshWideStrict(objects: Obj[]): Obj {
  const strict = find(objects, 'PeerAuthentication', 'istio-system', 'default');
  strict.spec = { mtls: { mode: 'STRICT' } };
  return strict;
}

describe('ClusterViews in watch mode', () => {
  jest.setTimeout(60_000);

  async function start() {
    const cache = CacheManager.fromConfig(
      mockServices.rootConfig({ data: {} }),
    ).forPlugin('mesh-security');
    const store = new SnapshotStore(cache);
    const read = await new ManifestsSource('demo', demo).read();
    const objects = read.objects as Obj[];
    await store.putObjects(watched(1), JSON.stringify(objects));
    return { store, objects };
  }

  it('applies each delta to the evaluation it holds, and answers as a replica reading the store', async () => {
    const { store, objects } = await start();
    const follower = views(store);
    const first = await follower.current('demo');
    const evaluator = first.incremental?.evaluator;
    expect(evaluator).toBeDefined();
    expect(first.workloads.length).toBeGreaterThan(5);

    const strict = meshWideStrict(objects);
    // A pod replaced (the demo's pods are in storefront).
    const pod = objects.find(
      o => o.kind === 'Pod' && o.metadata.namespace === 'storefront',
    )!;
    const replaced = structuredClone(pod);
    replaced.metadata.name = `${pod.metadata.name}-replaced`;
    // Payments leaves the mesh (its workloads' membership is predicted from the label).
    const namespace = find(objects, 'Namespace', '', 'payments');
    namespace.metadata.labels = {
      'kubernetes.io/metadata.name': 'payments',
      'istio-injection': 'disabled',
    };
    // Each changes the answers (the pod replaced: the order in which its workload's mixed
    // pods are counted, as the replacement is the newest).
    const deltas: Array<Omit<ClusterDelta, 'generation'>> = [
      { upserts: [strict], deletes: [] },
      { upserts: [replaced], deletes: [objectIdentity(pod)] },
      // A policy of payments removed: its workloads' applied policies change.
      {
        upserts: [],
        deletes: [
          objectIdentity(
            find(
              objects,
              'AuthorizationPolicy',
              'payments',
              'payments-api-allow-checkout',
            ),
          ),
        ],
      },
      { upserts: [namespace], deletes: [] },
    ];

    await until(() => !!first.graph?.complete);
    let before = { ...answers(first), policies: policiesOf(first) };
    const carriedOver: boolean[] = [];
    for (const [i, delta] of deltas.entries()) {
      const generation = i + 2;
      await store.putDelta(watched(generation, 1), { generation, ...delta });
      // A request meanwhile is answered from the view held, as of its own generation...
      const served = await follower.get('demo');
      expect(served.state.generation).toBe(generation - 1);
      // ...until the new one is installed.
      const view = await follower.current('demo');
      expect(view.state.generation).toBe(generation);
      // Installed with its graph built and its findings indexed: no page view pays for them.
      expect(view.graph?.complete).toBe(true);
      expect(view.memo.has('findings:index')).toBe(true);
      // The same evaluator, advanced: not rebuilt.
      expect(view.incremental?.evaluator).toBe(evaluator);
      const fresh = await views(store).current('demo');
      expect(fresh.incremental?.evaluator).not.toBe(evaluator);
      const now = answers(view);
      expect(now).toEqual(answers(fresh));
      // The policies of each workload, once both graphs are built (the follower's carries
      // those of workloads outside the change's scope).
      await until(() => !!view.graph?.complete && !!fresh.graph?.complete);
      const policies = policiesOf(view);
      expect(policies).toEqual(policiesOf(fresh));
      expect({ ...now, policies }).not.toEqual(before);
      before = { ...now, policies };
      // A carried graph lists a workload's callers on first view.
      carriedOver.push(view.graph!.isCarriedOver);
    }
    // Only the mesh-wide policy re-evaluates everything; the other changes are scoped.
    expect(carriedOver).toEqual([false, true, true, true]);
    // The mesh-wide STRICT shows where nothing else decides.
    expect(
      before.workloads
        .filter(w => w.namespace === 'data')
        .flatMap(w => w.ports.map(p => p.mtls)),
    ).toContain('STRICT');
  });

  it('takes a delta a step at a time, answering from the view before between the steps', async () => {
    const { store, objects } = await start();
    const follower = views(store);
    const first = await follower.current('demo');
    await until(() => !!first.graph?.complete);
    const evaluator = first.incremental!.evaluator;
    const before = answers(first);
    // A mesh-wide policy: every workload re-evaluated.
    const strict = meshWideStrict(objects);
    // Each reading of the clock a slice later: every step's pause yields, however fast the
    // machine (the demo's apply is shorter than one real slice).
    const now = performance.now.bind(performance);
    let readings = 0;
    jest
      .spyOn(performance, 'now')
      .mockImplementation(() => now() + 5 * readings++);
    try {
      let done = false;
      // What the requests that came while the apply was half way were answered with.
      const duringApply: ClusterView[] = [];
      // Requests, one per turn of the event loop, as page views would come.
      const requests = (async () => {
        while (!done) {
          const served = await follower.get('demo');
          try {
            void evaluator.engine;
          } catch (error) {
            if (/apply is in progress/.test((error as Error).message))
              duringApply.push(served);
          }
          await new Promise(resolve => setImmediate(resolve));
        }
      })();
      await store.putDelta(watched(2, 1), {
        generation: 2,
        upserts: [strict],
        deletes: [],
      });
      const view = await follower.current('demo');
      done = true;
      await requests;
      expect(view.state.generation).toBe(2);
      // Answered between the apply's steps (it is not one block), from the view before.
      expect(duringApply.length).toBeGreaterThan(1);
      for (const served of duringApply) {
        expect(served.state.generation).toBe(1);
        expect(answers(served)).toEqual(before);
      }
      expect(answers(view)).toEqual(
        answers(await views(store).current('demo')),
      );
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('reads ahead what the first policy change would read, once the view is ready', async () => {
    const { store } = await start();
    const first = await views(store).current('demo');
    const evaluator = first.incremental!.evaluator;
    // Nobody reads ahead but the view, in the background after its graph and views.
    await until(() => evaluator.readAhead(() => false) === 0);
    expect(first.graph?.complete).toBe(true);
  });

  it('builds anew when a delta is gone from the cache, or a new base was stored since', async () => {
    const { store, objects } = await start();
    const follower = views(store);
    const first = await follower.current('demo');
    const edited = find(objects, 'PeerAuthentication', 'payments', 'default');
    edited.spec = { mtls: { mode: 'PERMISSIVE' } };
    await store.putDelta(watched(2, 1), {
      generation: 2,
      upserts: [edited],
      deletes: [],
    });
    await store.putDelta(watched(3, 1), {
      generation: 3,
      upserts: [],
      deletes: [objectIdentity(edited)],
    });
    // The delta of generation 2 expired: generation 3 cannot be reached from 1 by deltas...
    await (store as any).cache.delete('snapshot-delta:demo:2');
    const third = await follower.current('demo');
    // ...nor read from the store at all: the view of generation 1 is replaced by an empty one
    // until the next generation, never by a wrong one.
    expect(third.state.generation).toBe(3);
    expect(third.incremental?.evaluator).not.toBe(first.incremental?.evaluator);

    // A new base: built from it.
    const all = objects.filter(
      o => objectIdentity(o) !== objectIdentity(edited),
    );
    await store.putObjects(watched(4), JSON.stringify(all));
    const fourth = await follower.current('demo');
    expect(fourth.workloads.length).toBe(first.workloads.length);
    expect(answers(fourth)).toEqual(
      answers(await views(store).current('demo')),
    );
  });
});
