import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  fakeKubernetesApi,
  WATCHED_STREAMS,
} from '../__testUtils__/fakeKubernetesApi';
import { identityOf, objectIdentity } from '../snapshots/types';
import { ClusterUnreachableError } from './ClusterSource';
import {
  KubernetesWatcher,
  KubernetesWatcherOptions,
  ObjectChange,
} from './KubernetesWatcher';

const API = 'https://k8s.watch.mesh-security.test';
const TOKEN = 'canary-token-5d1e2b';

const server = setupServer();
const FakeApi = fakeKubernetesApi(API, TOKEN);
type Api = InstanceType<typeof FakeApi>;
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const PODS = '/api/v1/pods';
const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'shop',
    managedFields: [{ manager: 'kubectl' }],
  },
  spec: {
    serviceAccountName: 'web',
    containers: [
      {
        name: 'web',
        image: 'web:1',
        env: [{ name: 'A', value: 'secret-ish' }],
      },
    ],
  },
  ...extra,
});
const podKey = (name: string) => `pods\u0000shop\u0000${name}`;

let watchers: KubernetesWatcher[] = [];
afterEach(() => {
  for (const w of watchers) w.stop();
  watchers = [];
});

function watcher(options: KubernetesWatcherOptions = {}) {
  const w = new KubernetesWatcher(
    { name: 'prod', url: API, serviceAccountToken: TOKEN },
    {
      timeoutMs: 1000,
      pageSize: 50,
      maxBackoffMs: 5,
      initialBackoffMs: 1,
      random: () => 0.5,
      notInstalledRecheckMs: 60_000,
      ...options,
    },
  );
  watchers.push(w);
  return w;
}

async function until(condition: () => boolean, what = 'condition') {
  const deadline = Date.now() + 4000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise(r => setTimeout(r, 5));
  }
}

const byKey = (changes: ObjectChange[]) =>
  new Map(changes.map(c => [c.key, c.object as any]));

function startWatching(api: Api, options: KubernetesWatcherOptions = {}) {
  server.use(api.handler);
  const w = watcher(options);
  return { w, started: w.start(new AbortController().signal) };
}

describe('KubernetesWatcher', () => {
  it('lists every kind once, then watches each from the list resourceVersion', async () => {
    const api = new FakeApi();
    api.put(PODS, pod('a'));
    api.put('/api/v1/namespaces/istio-system/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'istio', namespace: 'istio-system' },
      data: { mesh: 'trustDomain: td' },
    });
    const { w, started } = startWatching(api);
    let notified = 0;
    w.onChange(() => notified++);
    await started;
    const listRv = String(api.rv);

    const first = byKey(w.drain());
    expect(first.get(podKey('a'))).toMatchObject({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'a', resourceVersion: '101' },
    });
    expect(first.get(podKey('a')).metadata.managedFields).toBeUndefined();
    expect(JSON.stringify(first.get(podKey('a')))).not.toContain('secret-ish');
    expect(
      first.get('configmaps/istio-system/istio\u0000istio-system\u0000istio'),
    ).toMatchObject({ kind: 'ConfigMap', data: { mesh: 'trustDomain: td' } });
    expect(notified).toBe(2); // once per object listed

    // One list per kind, then one watch per kind.
    await until(() => api.open(PODS).length === 1, 'pods watch');
    const watch = api.open(PODS)[0].query;
    expect(Object.fromEntries(watch)).toEqual({
      watch: '1',
      resourceVersion: listRv,
      allowWatchBookmarks: 'true',
      timeoutSeconds: '300',
    });
    expect(api.requestsTo(PODS)).toEqual([
      `${PODS}?limit=50`,
      `${PODS}?watch=1&resourceVersion=${listRv}&allowWatchBookmarks=true&timeoutSeconds=300`,
    ]);
    // The revision ConfigMaps are listed and watched with the same label selector; the named
    // ConfigMaps by name.
    const cms = api.requestsTo('/api/v1/namespaces/istio-system/configmaps');
    expect(cms.filter(r => r.includes('labelSelector=istio.io%2Frev'))).toEqual(
      [expect.stringContaining('limit=50'), expect.stringContaining('watch=1')],
    );
    expect(
      cms.filter(r => /fieldSelector=metadata.name%3Distio(&|$)/.test(r)),
    ).toHaveLength(2);
    expect(api.requests.some(r => /\/secrets/.test(r))).toBe(false);
    expect(w.kinds()).toHaveLength(WATCHED_STREAMS);
    expect(w.kinds().every(k => k.state === 'ok')).toBe(true);
    await until(() => w.freshness().listing.length === 0);

    // Events: ADDED / MODIFIED / DELETED applied, coalesced per object.
    api.emit(PODS, 'ADDED', pod('b'));
    api.emit(PODS, 'MODIFIED', pod('a', { status: { phase: 'Running' } }));
    api.emit(PODS, 'ADDED', pod('c'));
    api.emit(PODS, 'DELETED', pod('c'));
    api.emit(PODS, 'DELETED', pod('b'));
    api.emit(PODS, 'ADDED', pod('d'));
    await until(() => w.resourceVersions().pods === String(api.rv));
    const changes = w.drain();
    expect(changes).toHaveLength(2); // b and c came and went
    expect(byKey(changes).get(podKey('a')).status).toEqual({
      phase: 'Running',
    });
    expect(byKey(changes).get(podKey('d')).metadata.name).toBe('d');
    expect(notified).toBe(8); // once per event
    api.emit(PODS, 'DELETED', pod('a'));
    await until(() => w.resourceVersions().pods === String(api.rv));
    expect(w.drain()).toEqual([{ key: podKey('a') }]);
    expect(
      (w.objects() as any[])
        .filter(o => o.kind === 'Pod')
        .map(o => o.metadata.name),
    ).toEqual(['d']);

    // A bookmark only moves the resourceVersion and the freshness.
    api.rv = 500;
    const before = w.freshness().lastEventAt;
    await new Promise(r => setTimeout(r, 2));
    api.bookmark(PODS);
    await until(() => w.resourceVersions().pods === '500');
    expect(w.freshness().lastEventAt).not.toBe(before);
    expect(w.drain()).toEqual([]);
    expect(w.freshness()).toMatchObject({ reconnecting: [], listing: [] });
    expect(w.requests()).toBe(api.requests.length);
    expect(w.bytesReceived()).toBeGreaterThan(0);
  });

  it('resumes from the last resourceVersion when the server ends the stream', async () => {
    const api = new FakeApi();
    const { w, started } = startWatching(api);
    await started;
    await until(() => api.open(PODS).length === 1);
    api.emit(PODS, 'ADDED', pod('a'));
    const rv = String(api.rv);
    await until(() => w.resourceVersions().pods === rv);
    api.open(PODS)[0].end();
    await until(() => api.open(PODS).length === 1, 'resumed');
    expect(api.open(PODS)[0].query.get('resourceVersion')).toBe(rv);
    expect(api.requestsTo(PODS).filter(r => !r.includes('watch'))).toHaveLength(
      1,
    );
  });

  it('a stream cut in the middle of an event resumes from the last applied resourceVersion, nothing half-applied', async () => {
    const api = new FakeApi();
    const { w, started } = startWatching(api);
    await started;
    await until(() => api.open(PODS).length === 1);
    api.emit(PODS, 'ADDED', pod('a'));
    const applied = String(api.rv);
    const line = api.emit(PODS, 'ADDED', pod('b'), false);
    const stream = api.open(PODS)[0];
    stream.send(line.slice(0, 40));
    await until(() => w.resourceVersions().pods === applied);
    stream.cut();
    await until(() => api.open(PODS).length === 1, 'resumed');
    expect(api.open(PODS)[0].query.get('resourceVersion')).toBe(applied);
    expect(
      (w.objects() as any[])
        .filter(o => o.kind === 'Pod')
        .map(o => o.metadata.name),
    ).toEqual(['a']);
    expect(w.kinds().find(k => k.key === 'pods')).toEqual({
      key: 'pods',
      state: 'ok',
      version: 'v1',
      count: 1,
    });
    // The same with a clean close after half a line.
    const line2 = api.emit(PODS, 'ADDED', pod('c'), false);
    api.open(PODS)[0].send(line2.slice(0, 30));
    api.open(PODS)[0].end();
    await until(() => api.open(PODS).length === 1, 'resumed again');
    expect(api.open(PODS)[0].query.get('resourceVersion')).toBe(applied);
    expect(w.drain().map(c => c.key)).toEqual([podKey('a')]);
  });

  it('an ERROR 410 event relists that kind only and emits the diff', async () => {
    const api = new FakeApi();
    api.put(PODS, pod('a'));
    api.put(PODS, pod('b'));
    const { w, started } = startWatching(api);
    await started;
    w.drain();
    await until(() => api.allWatching());
    const before = api.requests.length;
    // Changes the watcher never saw, then the server has compacted past its resourceVersion.
    api.emit(PODS, 'DELETED', pod('a'), false);
    api.emit(
      PODS,
      'MODIFIED',
      pod('b', { status: { phase: 'Failed' } }),
      false,
    );
    api.emit(PODS, 'ADDED', pod('c'), false);
    api.open(PODS)[0].send(
      `${JSON.stringify({
        type: 'ERROR',
        object: { kind: 'Status', code: 410, reason: 'Expired' },
      })}\n`,
    );
    await until(
      () => api.streamsOf(PODS).length === 2,
      'relisted and watching',
    );
    expect(api.requests.slice(before)).toEqual([
      `${PODS}?limit=50`,
      `${PODS}?watch=1&resourceVersion=${api.rv}&allowWatchBookmarks=true&timeoutSeconds=300`,
    ]);
    const diff = byKey(w.drain());
    expect([...diff.keys()].sort()).toEqual([
      podKey('a'),
      podKey('b'),
      podKey('c'),
    ]);
    expect(diff.get(podKey('a'))).toBeUndefined();
    expect(diff.get(podKey('b')).status).toEqual({ phase: 'Failed' });
  });

  it('resumes from another replica; HTTP 410 on resume relists that kind only', async () => {
    const api = new FakeApi();
    api.put(PODS, pod('a'));
    api.put('/api/v1/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
    });
    // The first replica.
    const { w: first, started } = startWatching(api);
    await started;
    const objects = first.objects();
    const resourceVersions = first.resourceVersions();
    first.stop();
    expect(resourceVersions.pods).toBe('102');

    // Pods changed while nobody watched, and the server compacted their history.
    api.emit(PODS, 'ADDED', pod('b'), false);
    api.compactedBefore.set(PODS, 103);
    resourceVersions.pods = '101';
    const before = api.requests.length;
    const second = watcher();
    await second.start(new AbortController().signal, {
      objects,
      resourceVersions,
    });
    await until(
      () =>
        api.requests.slice(before).filter(r => r.startsWith(PODS)).length === 3,
      'relisted and watching',
    );
    const made = api.requests.slice(before);
    // No kind is listed but pods; every kind is watched from its version.
    expect(made.filter(r => !r.includes('watch=1'))).toEqual([
      `${PODS}?limit=50`,
    ]);
    expect(made.filter(r => r.startsWith(PODS))).toEqual([
      `${PODS}?watch=1&resourceVersion=101&allowWatchBookmarks=true&timeoutSeconds=300`,
      `${PODS}?limit=50`,
      `${PODS}?watch=1&resourceVersion=103&allowWatchBookmarks=true&timeoutSeconds=300`,
    ]);
    expect(made.filter(r => r.startsWith('/api/v1/services'))).toEqual([
      `/api/v1/services?watch=1&resourceVersion=102&allowWatchBookmarks=true&timeoutSeconds=300`,
    ]);
    // Resumed objects are known: the drain holds only the relist's diff.
    expect(second.drain().map(c => c.key)).toEqual([podKey('b')]);
    expect(second.objects()).toHaveLength(3);
    expect(second.objectCount()).toBe(3);
  });

  it('serializes what it holds as the JSON array of its objects in identity order', async () => {
    const api = new FakeApi();
    api.put(PODS, pod('b'));
    api.put(PODS, {
      ...pod('a'),
      metadata: { name: 'a', namespace: 'web' },
    });
    api.put('/api/v1/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
    });
    api.put('/apis/security.istio.io/v1/peerauthentications', {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'shop' },
      spec: { mtls: { mode: 'STRICT' } },
    });
    const { w, started } = startWatching(api);
    await started;
    await until(() => api.open(PODS).length === 1);
    const sorted = () =>
      JSON.stringify(
        [...w.objects()].sort((x, y) => {
          const [a, b] = [objectIdentity(x), objectIdentity(y)];
          if (a === b) return 0;
          return a < b ? -1 : 1;
        }),
      );
    expect(w.serializedObjects(identityOf)).toEqual({
      json: sorted(),
      count: 4,
    });
    expect(
      JSON.parse(w.serializedObjects(identityOf).json).map((o: any) => o.kind),
    ).toEqual(['Pod', 'Pod', 'Service', 'PeerAuthentication']);

    // Changed, added and deleted by events: still the objects, trimmed, in order.
    api.emit(PODS, 'MODIFIED', pod('b', { status: { phase: 'Running' } }));
    api.emit(PODS, 'ADDED', pod('0'));
    api.emit(PODS, 'DELETED', {
      ...pod('a'),
      metadata: { name: 'a', namespace: 'web' },
    });
    await until(() => w.resourceVersions().pods === String(api.rv));
    const { json, count } = w.serializedObjects(identityOf);
    expect(json).toBe(sorted());
    expect(count).toBe(4);
    const pods = JSON.parse(json).filter((o: any) => o.kind === 'Pod');
    expect(pods.map((o: any) => o.metadata.name)).toEqual(['0', 'b']);
    expect(pods[1].status).toEqual({ phase: 'Running' });
    expect(pods[1].metadata.managedFields).toBeUndefined();
  });

  it('backs off between relists when the server answers 410 to every watch', async () => {
    const api = new FakeApi();
    // A server without any history: even the version its own list returns is "too old".
    api.compactedBefore.set(PODS, Number.MAX_SAFE_INTEGER);
    const { started } = startWatching(api, {
      initialBackoffMs: 40,
      maxBackoffMs: 80,
    });
    await started;
    await new Promise(r => setTimeout(r, 400));
    const lists = api
      .requestsTo(PODS)
      .filter(r => !r.includes('watch=1')).length;
    // The first relist is at once, the next ones 20–120 ms apart: a handful, not a loop.
    expect(lists).toBeGreaterThanOrEqual(2);
    expect(lists).toBeLessThanOrEqual(15);
  });

  it('reconnects a stream that goes silent (idle timeout), with backoff', async () => {
    const api = new FakeApi();
    const { w, started } = startWatching(api, { idleTimeoutMs: 150 });
    await started;
    await until(() => api.open(PODS).length === 1);
    const hung = api.open(PODS)[0];
    api.emit(PODS, 'ADDED', pod('a'));
    const rv = String(api.rv);
    // Then nothing, not even a bookmark: the watcher drops the stream and resumes.
    await until(
      () => api.streams.filter(s => s.path === PODS).length >= 2,
      'reconnect after idle',
    );
    const resumed = api.streams.filter(s => s.path === PODS)[1];
    expect(resumed).not.toBe(hung);
    expect(resumed.query.get('resourceVersion')).toBe(rv);
    expect(w.objects()).toHaveLength(1);
  });

  it('drops a stream that sends a line that is not a watch event, counting it, and resumes', async () => {
    const api = new FakeApi();
    const { w, started } = startWatching(api);
    await started;
    await until(() => api.open(PODS).length === 1);
    api.emit(PODS, 'ADDED', pod('a'));
    const rv = String(api.rv);
    const stream = api.open(PODS)[0];
    stream.send('<html>502 Bad Gateway</html>\n');
    // Lines after the garbage are not applied: the stream is closed.
    stream.send(api.emit(PODS, 'ADDED', pod('b'), false));
    await until(() => api.streams.filter(s => s.path === PODS).length === 2);
    const resumed = api.streams.filter(s => s.path === PODS)[1];
    expect(resumed.query.get('resourceVersion')).toBe(rv);
    resumed.send('{"type":"SOMETHING","object":{}}\n');
    await until(() => api.streams.filter(s => s.path === PODS).length === 3);
    expect(w.kinds().find(k => k.key === 'pods')).toMatchObject({
      state: 'ok',
      count: 1,
      message:
        'the watch of pods sent 2 line(s) that were not watch events; the stream was resumed each time',
    });
  });

  it('fails a kind whose list is not a Kubernetes List, and retries it later', async () => {
    const api = new FakeApi();
    let garbage = true;
    api.listBody = path =>
      path === PODS && garbage
        ? { kind: 'Status', status: 'Success' }
        : undefined;
    const { w, started } = startWatching(api, { notInstalledRecheckMs: 50 });
    await started;
    expect(w.kinds().find(k => k.key === 'pods')).toMatchObject({
      state: 'error',
      count: 0,
      message: 'HTTP 200 listing pods: the body is not a Kubernetes List',
      since: expect.any(String),
    });
    expect(w.freshness().reconnecting).toEqual(['pods']);
    garbage = false;
    api.put(PODS, pod('a'));
    await until(() => w.kinds().find(k => k.key === 'pods')?.state === 'ok');
    await until(() => api.open(PODS).length === 1);
    expect(w.drain().map(c => c.key)).toEqual([podKey('a')]);
  });

  it('drops a stream with a line over maxLineBytes and resumes', async () => {
    const api = new FakeApi();
    const { w, started } = startWatching(api, { maxLineBytes: 2048 });
    await started;
    await until(() => api.open(PODS).length === 1);
    api.emit(
      PODS,
      'ADDED',
      pod('big', { spec: { padding: 'x'.repeat(5000) } }),
    );
    await until(() => api.streams.filter(s => s.path === PODS).length === 2);
    expect(
      api.streams.filter(s => s.path === PODS)[1].query.get('resourceVersion'),
    ).toBe('100');
    expect(w.objects()).toEqual([]);
    expect(w.objectCount()).toBe(0);
  });

  it('applies a burst of 10,000 events and drains them coalesced', async () => {
    const api = new FakeApi();
    const { w, started } = startWatching(api);
    await started;
    await until(() => api.open(PODS).length === 1);
    let notified = 0;
    w.onChange(() => notified++);
    w.drain();
    const lines: string[] = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 2000; i++) {
        const name = `p${i}`;
        if (round === 0) lines.push(api.emit(PODS, 'ADDED', pod(name), false));
        else if (round === 4 && i % 4 === 0)
          lines.push(api.emit(PODS, 'DELETED', pod(name), false));
        else
          lines.push(
            api.emit(
              PODS,
              'MODIFIED',
              pod(name, { status: { phase: `round${round}` } }),
              false,
            ),
          );
      }
    }
    expect(lines).toHaveLength(10_000);
    const stream = api.open(PODS)[0];
    for (let i = 0; i < lines.length; i += 500)
      stream.send(lines.slice(i, i + 500).join(''));
    await until(
      () => w.resourceVersions().pods === String(api.rv),
      'burst applied',
    );
    const changes = w.drain();
    expect(changes).toHaveLength(1500); // added and deleted since the last drain: not mentioned
    expect(new Set(changes.map(c => (c.object as any).status.phase))).toEqual(
      new Set(['round4']),
    );
    expect(w.kinds().find(k => k.key === 'pods')?.count).toBe(1500);
    expect(notified).toBe(10_000);
  });

  it('starts watching a CRD installed while running, and deletes its objects when it is removed', async () => {
    const PA_V1 = '/apis/security.istio.io/v1/peerauthentications';
    const PA_V1BETA1 = '/apis/security.istio.io/v1beta1/peerauthentications';
    const api = new FakeApi();
    api.notFound.add(PA_V1);
    api.notFound.add(PA_V1BETA1);
    const { w, started } = startWatching(api, { notInstalledRecheckMs: 40 });
    await started;
    const status = () =>
      w.kinds().find(k => k.key === 'security.istio.io/peerauthentications');
    expect(status()).toEqual({
      key: 'security.istio.io/peerauthentications',
      state: 'notInstalled',
      count: 0,
    });
    // Istio gets installed (v1beta1 only).
    api.notFound.delete(PA_V1BETA1);
    api.put(PA_V1BETA1, {
      apiVersion: 'security.istio.io/v1beta1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'istio-system' },
      spec: { mtls: { mode: 'STRICT' } },
    });
    await until(() => status()?.state === 'ok', 'installed');
    await until(() => api.open(PA_V1BETA1).length === 1);
    const key =
      'security.istio.io/peerauthentications\u0000istio-system\u0000default';
    expect(byKey(w.drain()).get(key)).toMatchObject({
      apiVersion: 'security.istio.io/v1beta1',
      spec: { mtls: { mode: 'STRICT' } },
    });
    // Istio is removed: the stream ends and the watch answers 404.
    api.notFound.add(PA_V1BETA1);
    api.open(PA_V1BETA1)[0].end();
    await until(() => status()?.state === 'notInstalled', 'removed');
    expect(w.drain()).toEqual([{ key }]);
    expect(status()).toEqual({
      key: 'security.istio.io/peerauthentications',
      state: 'notInstalled',
      count: 0,
    });
  });

  it('keeps the objects of a kind whose watch becomes forbidden, and says since when', async () => {
    const api = new FakeApi();
    api.put(PODS, pod('a'));
    const { w, started } = startWatching(api, { notInstalledRecheckMs: 40 });
    await started;
    await until(() => api.open(PODS).length === 1);
    api.status.set(PODS, 403);
    api.open(PODS)[0].end();
    const status = () => w.kinds().find(k => k.key === 'pods');
    await until(() => status()?.state === 'forbidden');
    expect(status()).toEqual({
      key: 'pods',
      state: 'forbidden',
      version: 'v1',
      count: 1,
      message: 'missing RBAC: watch pods (cluster-wide)',
      since: expect.any(String),
      fetchedAt: expect.any(String),
    });
    expect(w.freshness().reconnecting).toEqual(['pods']);
    expect(JSON.stringify(w.kinds())).not.toContain(TOKEN);
    api.status.delete(PODS);
    await until(() => status()?.state === 'ok', 'allowed again');
    expect(w.objects()).toHaveLength(1);
  });

  it('fails the kind whose ADDED event goes over maxObjects, without crashing', async () => {
    const api = new FakeApi();
    api.put(PODS, pod('a'));
    const { w, started } = startWatching(api, { maxObjects: 2 });
    await started;
    await until(() => api.open(PODS).length === 1);
    api.emit(PODS, 'ADDED', pod('b'));
    api.emit(PODS, 'ADDED', pod('c'));
    const status = () => w.kinds().find(k => k.key === 'pods');
    await until(() => status()?.state === 'error');
    expect(status()).toMatchObject({
      count: 2,
      message:
        'cluster prod holds more than 2 objects (meshSecurity.maxObjectsPerCluster)',
    });
    expect(w.objects()).toHaveLength(2);
  });

  it('resolves start after maxReadMs, failing the kinds not listed yet, which keep trying', async () => {
    const api = new FakeApi();
    let endless = true;
    server.use(
      http.get(`${API}${PODS}`, async ({ request }) => {
        const url = new URL(request.url);
        if (url.searchParams.get('watch') || !endless) return undefined; // the fake answers
        await new Promise(r => setTimeout(r, 20));
        return HttpResponse.json({
          items: [],
          metadata: { continue: `${url.searchParams.get('continue') ?? ''}x` },
        });
      }),
      api.handler,
    );
    const w = watcher({ maxReadMs: 300, maxPagesPerList: 1_000_000 });
    await w.start(new AbortController().signal);
    expect(w.kinds().find(k => k.key === 'pods')).toMatchObject({
      state: 'error',
      message:
        'the first list of pods in cluster prod did not finish within 0.3 s (meshSecurity.refreshTimeout); still trying',
    });
    expect(w.freshness().listing).toEqual(['pods']);
    expect(w.kinds().find(k => k.key === 'services')?.state).toBe('ok');
    endless = false;
    await until(() => w.kinds().find(k => k.key === 'pods')?.state === 'ok');
  });

  it('backs off exponentially with 50–150 % jitter, capped at maxBackoffMs', () => {
    const backoff = (failures: number, random: number) =>
      (
        watcher({
          initialBackoffMs: 1000,
          maxBackoffMs: 30_000,
          random: () => random,
        }) as any
      ).backoff({ failures });
    expect(backoff(1, 0)).toBe(500);
    expect(backoff(1, 0.999)).toBeCloseTo(1499);
    expect(backoff(3, 0.5)).toBe(4000);
    expect(backoff(5, 0.999)).toBeCloseTo(23_984);
    expect(backoff(6, 0.5)).toBe(30_000);
    expect(backoff(60, 0)).toBe(30_000);
  });

  it('throws ClusterUnreachableError at start on 401, without the token', async () => {
    server.use(
      http.get(`${API}/*`, () =>
        HttpResponse.json({ message: `bad token ${TOKEN}` }, { status: 401 }),
      ),
    );
    const error = await watcher()
      .start(new AbortController().signal)
      .catch(e => e);
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect(error.message).toBe(
      'cluster prod rejected the configured credentials (401 Unauthorized)',
    );
  });

  it('throws ClusterUnreachableError at start when the cluster cannot be reached', async () => {
    server.use(http.get(`${API}/*`, () => HttpResponse.error()));
    const error = await watcher()
      .start(new AbortController().signal)
      .catch(e => e);
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect(error.message).not.toContain(TOKEN);
  });

  it('never puts the token in a status message', async () => {
    const api = new FakeApi();
    api.status.set('/api/v1/services', 403);
    api.status.set('/api/v1/namespaces', 500);
    const { w, started } = startWatching(api);
    await started;
    await until(() => api.open(PODS).length === 1);
    api.open(PODS)[0].send(`not json ${TOKEN}\n`);
    await until(() => Boolean(w.kinds().find(k => k.key === 'pods')?.message));
    const text = JSON.stringify([w.kinds(), w.freshness(), w.drain()]);
    expect(text).not.toContain(TOKEN);
    expect(w.kinds().find(k => k.key === 'namespaces')).toMatchObject({
      state: 'error',
      message: 'HTTP 500 listing namespaces',
    });
  });
});
