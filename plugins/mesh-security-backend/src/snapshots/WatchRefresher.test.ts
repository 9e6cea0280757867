import { CacheManager } from '@backstage/backend-defaults/cache';
import { CacheService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { fakeKubernetesApi } from '../__testUtils__/fakeKubernetesApi';
import { KubernetesWatcher } from '../sources/KubernetesWatcher';
import { ClusterViews } from './ClusterViews';
import { SnapshotStore } from './SnapshotStore';
import { WatchRefresher } from './WatchRefresher';
import { ClusterState } from './types';

const API = 'https://k8s.refresher.mesh-security.test';
const TOKEN = 'canary-token-9a8b7c';
const FakeApi = fakeKubernetesApi(API, TOKEN);
type Api = InstanceType<typeof FakeApi>;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const PODS = '/api/v1/pods';
const PEER_AUTHENTICATIONS = '/apis/security.istio.io/v1/peerauthentications';
const pod = (name: string, app = 'web') => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels: { app } },
  spec: { serviceAccountName: app, containers: [{ name: app }] },
  status: { phase: 'Running', podIP: '10.0.0.1' },
});
const strict = (mode: string) => ({
  apiVersion: 'security.istio.io/v1',
  kind: 'PeerAuthentication',
  metadata: { name: 'default', namespace: 'shop' },
  spec: { mtls: { mode } },
});

function newCache(): CacheService {
  return CacheManager.fromConfig(
    mockServices.rootConfig({ data: {} }),
  ).forPlugin('mesh-security');
}

async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
) {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise(r => setTimeout(r, 5));
  }
}

/** One replica's refresher over the fake API and a shared cache. */
function replica(
  cache: CacheService,
  options: { maxDeltas?: number; podPublishIntervalMs?: number } = {},
) {
  const store = new SnapshotStore(cache);
  const logger = mockServices.logger.mock();
  const refresher = new WatchRefresher(
    'prod',
    () =>
      new KubernetesWatcher(
        { name: 'prod', url: API, serviceAccountToken: TOKEN },
        {
          timeoutMs: 1000,
          maxBackoffMs: 5,
          initialBackoffMs: 1,
          random: () => 0.5,
        },
      ),
    store,
    logger,
    {
      publishIntervalMs: 20,
      heartbeatMs: 50,
      sessionMs: 60_000,
      retryIntervalSeconds: 60,
      random: () => 0.5,
      ...options,
    },
  );
  const sessions: AbortController[] = [];
  return {
    store,
    logger,
    /** Starts a session; `stop` ends it and resolves with its outcome. */
    start() {
      const session = new AbortController();
      sessions.push(session);
      const done = refresher.run(session.signal);
      return {
        done,
        stop: () => {
          session.abort();
          return done;
        },
      };
    },
    state: () => store.getState('prod') as Promise<ClusterState>,
  };
}

describe('WatchRefresher', () => {
  let api: Api;
  beforeEach(() => {
    api = new FakeApi();
    server.use(api.handler);
  });

  it('stores the first list in full, then every change as a delta within the publish interval', async () => {
    api.put(PODS, pod('web-1'));
    const cache = newCache();
    const leader = replica(cache);
    const session = leader.start();
    await until(
      async () => (await leader.state())?.generation === 1,
      'first generation',
    );
    const first = await leader.state();
    expect(first).toMatchObject({
      status: 'ok',
      generation: 1,
      objectCount: 1,
      watch: { reconnecting: [] },
    });
    expect(first.baseGeneration).toBeUndefined();
    expect(first.watch?.resourceVersions.pods).toBe(String(api.rv));

    await until(() => api.open(PODS).length === 1, 'pods watched');
    api.emit(PODS, 'ADDED', pod('web-2'));
    api.emit(PEER_AUTHENTICATIONS, 'ADDED', strict('STRICT'));
    await until(async () => (await leader.state()).generation === 2, 'a delta');
    const second = await leader.state();
    expect(second.baseGeneration).toBe(1);
    expect(second.objectCount).toBe(3);
    // Only the change is stored for generation 2.
    const [delta] = (await leader.store.getDeltas('prod', 1, 2))!;
    expect(delta.upserts.map((o: any) => o.metadata.name).sort()).toEqual([
      'default',
      'web-2',
    ]);
    // Another replica reads base + delta and evaluates it.
    const views = new ClusterViews(new SnapshotStore(cache), {
      clusters: ['prod'],
      refreshIntervalSeconds: 60,
      certificateExpiryWarningDays: 30,
    });
    const view = await views.current('prod');
    expect(view.state.generation).toBe(2);
    expect(views.status(view).freshness).toMatchObject({
      state: 'live',
      mode: 'watch',
    });

    api.emit(PODS, 'DELETED', pod('web-1'));
    await until(async () => (await leader.state()).generation === 3, 'delete');
    const [removal] = (await leader.store.getDeltas('prod', 2, 3))!;
    expect(removal.deletes).toEqual(['\u0000Pod\u0000shop\u0000web-1']);
    expect((await views.current('prod')).state.generation).toBe(3);
    expect(await session.stop()).toBe('watched');
    expect((await leader.state()).watch?.stoppedAt).toEqual(expect.any(String));
  });

  it('holds pod churn for the pod interval, and publishes it at once with any other change', async () => {
    api.put(PODS, pod('web-1'));
    const leader = replica(newCache(), { podPublishIntervalMs: 60_000 });
    const session = leader.start();
    await until(
      async () => (await leader.state())?.generation === 1,
      'first generation',
    );
    await until(() => api.open(PODS).length === 1, 'pods watched');

    // Pods alone wait for the pod interval (a minute here), not the publish interval (20 ms):
    // after 15 publish intervals there is still no generation, and no heartbeat either (the
    // changes held are not confirmed: freshness shows their age).
    api.emit(PODS, 'ADDED', pod('web-2'));
    api.emit(PODS, 'DELETED', pod('web-1'));
    // Until the events reach the watcher, heartbeats (every 50 ms) still confirm; once it holds
    // them they stop, so confirmedAt stays where the last one left it (read then, not before
    // the events, which a heartbeat may still follow).
    let confirmed = '';
    await until(async () => {
      const before = (await leader.state()).watch!.confirmedAt;
      await new Promise(r => setTimeout(r, 150));
      confirmed = (await leader.state()).watch!.confirmedAt;
      return confirmed === before;
    }, 'no heartbeat while pod changes are held');
    await new Promise(r => setTimeout(r, 300));
    expect(await leader.state()).toMatchObject({
      generation: 1,
      watch: { confirmedAt: confirmed },
    });

    // A policy change is published within the publish interval, with the pods held.
    api.emit(PEER_AUTHENTICATIONS, 'ADDED', strict('STRICT'));
    await until(async () => (await leader.state()).generation === 2, 'a delta');
    const [delta] = (await leader.store.getDeltas('prod', 1, 2))!;
    expect(delta.upserts.map((o: any) => o.metadata.name).sort()).toEqual([
      'default',
      'web-2',
    ]);
    expect(delta.deletes).toEqual(['\u0000Pod\u0000shop\u0000web-1']);

    expect(await session.stop()).toBe('watched');

    // Pods alone are published once the pod interval has passed.
    const other = replica(newCache(), { podPublishIntervalMs: 200 });
    const next = other.start();
    await until(
      async () => (await other.state())?.generation === 1,
      'first generation',
    );
    await until(() => api.open(PODS).length === 1, 'pods watched');
    api.emit(PODS, 'ADDED', pod('web-3'));
    await until(async () => (await other.state()).generation === 2, 'pods');
    expect((await other.state()).objectCount).toBe(3); // web-2, web-3, the policy
    expect(await next.stop()).toBe('watched');
  });

  it('confirms freshness without changes, and says behind once the watching replica stopped', async () => {
    const cache = newCache();
    const leader = replica(cache);
    const session = leader.start();
    await until(async () => (await leader.state())?.generation === 1, 'read');
    const confirmed = (await leader.state()).watch!.confirmedAt;
    await until(
      async () => (await leader.state()).watch!.confirmedAt !== confirmed,
      'a heartbeat',
    );
    expect((await leader.state()).generation).toBe(1);
    await session.stop();

    const later = new Date(Date.now() + 60_000);
    const views = new ClusterViews(new SnapshotStore(cache), {
      clusters: ['prod'],
      refreshIntervalSeconds: 60,
      certificateExpiryWarningDays: 30,
      watchHeartbeatSeconds: 5,
      now: () => later,
    });
    expect(views.status(await views.current('prod')).freshness).toMatchObject({
      state: 'behind',
      mode: 'watch',
      lagSeconds: expect.any(Number),
    });
  });

  it('says reconnecting while a stream cannot be resumed, never live, and recovers without a restart', async () => {
    const cache = newCache();
    const leader = replica(cache);
    const session = leader.start();
    await until(async () => (await leader.state())?.generation === 1, 'read');
    await until(() => api.open(PODS).length === 1, 'watching');
    const views = new ClusterViews(new SnapshotStore(cache), {
      clusters: ['prod'],
      refreshIntervalSeconds: 60,
      certificateExpiryWarningDays: 30,
    });

    // The API server fails pods from now on, and the open stream is cut mid-event.
    api.status.set(PODS, 503);
    api.open(PODS)[0].send('{"type":"ADDED","object":{"kind":"Po');
    api.open(PODS)[0].cut();
    await until(
      async () => (await leader.state()).watch!.reconnecting.includes('pods'),
      'reconnecting reported',
    );
    const status = views.status(await views.current('prod'));
    expect(status.freshness).toMatchObject({
      state: 'reconnecting',
      reconnecting: ['pods'],
    });
    expect((await leader.state()).objectCount).toBe(0); // nothing half-applied

    // The server is back: the watch resumes, and a change shows again.
    api.status.delete(PODS);
    await until(() => api.open(PODS).length === 1, 'watching again');
    api.emit(PODS, 'ADDED', pod('web-9'));
    await until(
      async () => (await leader.state()).objectCount === 1,
      'the change',
    );
    await until(
      async () => (await leader.state()).watch!.reconnecting.length === 0,
      'live again',
    );
    expect(views.status(await views.current('prod')).freshness?.state).toBe(
      'live',
    );
    await session.stop();
  });

  it('resumes the next session from the stored versions, relisting only the kind whose history is gone', async () => {
    api.put(PODS, pod('web-1'));
    api.put(PEER_AUTHENTICATIONS, strict('STRICT'));
    const cache = newCache();
    const first = replica(cache).start();
    const leader = replica(cache);
    await until(async () => (await leader.state())?.generation === 1, 'read');
    await until(() => api.open(PODS).length === 1, 'watching');
    await first.stop();
    const listed = api.requests.filter(r => !r.includes('watch=1')).length;

    // While nobody watched, pods changed beyond the server's history (410 on resume).
    api.emit(PODS, 'ADDED', pod('web-2'), false);
    api.compactedBefore.set(PODS, api.rv);
    const next = replica(cache).start();
    await until(async () => (await leader.state()).generation === 2, 'resumed');
    const state = await leader.state();
    expect(state.baseGeneration).toBe(1);
    expect(state.objectCount).toBe(3);
    // One list more: pods; every other kind resumed its watch.
    const relists = api.requests
      .filter(r => !r.includes('watch=1'))
      .slice(listed);
    expect(relists.map(r => r.split('?')[0])).toEqual([PODS]);
    await next.stop();
  });

  it('marks the cluster unreachable with backoff when the watch cannot start, never logging the token', async () => {
    const r = replica(newCache());
    // Every request is refused: wrong credentials.
    server.use(
      http.get(`${API}/*`, () => new HttpResponse(null, { status: 401 })),
    );
    expect(await r.start().done).toBe('failed');
    const state = await r.state();
    expect(state).toMatchObject({
      status: 'unreachable',
      consecutiveFailures: 1,
      error:
        'cluster prod rejected the configured credentials (401 Unauthorized)',
    });
    expect(Date.parse(state.nextAttemptAt!)).toBeGreaterThan(Date.now());
    expect(await r.start().done).toBe('backoff');
    expect(JSON.stringify(r.logger.warn.mock.calls)).not.toContain(TOKEN);
  });

  it('stores a generation in full after maxDeltas deltas, dropping the old base', async () => {
    const cache = newCache();
    const leader = replica(cache, { maxDeltas: 2 });
    const session = leader.start();
    await until(async () => (await leader.state())?.generation === 1, 'read');
    await until(() => api.open(PODS).length === 1, 'watching');
    for (let i = 2; i <= 4; i++) {
      api.emit(PODS, 'ADDED', pod(`web-${i}`));
      await until(
        async () => (await leader.state()).generation === i,
        `generation ${i}`,
      );
    }
    const state = await leader.state();
    // 2 and 3 were deltas on 1; 4 is a new base.
    expect(state.baseGeneration).toBeUndefined();
    expect(await cache.get('snapshot-objects:prod:1')).toBeUndefined();
    expect(
      (await leader.store.getCurrentObjects(state))!.objects.map(
        (o: any) => o.metadata.name,
      ),
    ).toEqual(['web-2', 'web-3', 'web-4']);
    await session.stop();
  });
});
