import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import { ClusterUnreachableError } from './ClusterSource';
import { KubernetesSource } from './KubernetesSource';

const API = 'https://k8s.mesh-security.test';
const TOKEN = 'canary-token-7f3a9c';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const pod = (name: string) => ({
  metadata: {
    name,
    namespace: 'shop',
    managedFields: [{ manager: 'kubectl' }],
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'sidecar.istio.io/inject': 'true',
    },
  },
  spec: {
    serviceAccountName: 'web',
    containers: [
      {
        name: 'web',
        image: 'web:1',
        env: [{ name: 'A', value: 'secret-ish' }],
        ports: [{ containerPort: 8080 }],
      },
    ],
  },
  status: {
    phase: 'Running',
    podIP: '10.0.0.1',
    conditions: [{ type: 'Ready' }],
  },
});

/** A cluster where everything is empty unless a test overrides a path. */
function emptyCluster(seen: string[] = []) {
  return http.get(`${API}/*`, ({ request }) => {
    const url = new URL(request.url);
    seen.push(url.pathname + url.search);
    expect(request.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    if (url.pathname.includes('/configmaps/'))
      return new HttpResponse(null, { status: 404 });
    return HttpResponse.json({ kind: 'List', items: [], metadata: {} });
  });
}

const source = () =>
  new KubernetesSource(
    { name: 'prod', url: API, serviceAccountToken: TOKEN },
    { pageSize: 2, timeoutMs: 300 },
  );

describe('KubernetesSource', () => {
  it('pages through lists with limit/continue and trims every object', async () => {
    const seen: string[] = [];
    server.use(
      http.get(`${API}/api/v1/pods`, ({ request }) => {
        const url = new URL(request.url);
        seen.push(url.search);
        expect(url.searchParams.get('limit')).toBe('2');
        if (!url.searchParams.get('continue')) {
          return HttpResponse.json({
            items: [pod('a'), pod('b')],
            metadata: { continue: 'page2' },
          });
        }
        return HttpResponse.json({ items: [pod('c')], metadata: {} });
      }),
      emptyCluster(),
    );
    const result = await source().read();
    const pods = result.objects.filter((o: any) => o.kind === 'Pod') as any[];
    expect(pods.map(p => p.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(seen).toEqual(['?limit=2', '?limit=2&continue=page2']);
    expect(pods[0].apiVersion).toBe('v1');
    expect(pods[0].metadata.managedFields).toBeUndefined();
    expect(pods[0].metadata.annotations).toEqual({
      'sidecar.istio.io/inject': 'true',
    });
    expect(JSON.stringify(pods[0])).not.toContain('secret-ish');
    expect(pods[0].spec.containers[0].ports).toEqual([{ containerPort: 8080 }]);
    expect(result.kinds.find(k => k.key === 'pods')).toMatchObject({
      state: 'ok',
      count: 3,
    });
  });

  it('restarts a list cleanly when its continue token has expired (410 Gone)', async () => {
    let calls = 0;
    server.use(
      http.get(`${API}/api/v1/pods`, ({ request }) => {
        calls++;
        const cont = new URL(request.url).searchParams.get('continue');
        if (calls === 2 && cont)
          return HttpResponse.json({ reason: 'Expired' }, { status: 410 });
        if (!cont)
          return HttpResponse.json({
            items: [pod('a'), pod('b')],
            metadata: { continue: `t${calls}` },
          });
        return HttpResponse.json({ items: [pod('c')], metadata: {} });
      }),
      emptyCluster(),
    );
    const result = await source().read();
    const names = result.objects
      .filter((o: any) => o.kind === 'Pod')
      .map((p: any) => p.metadata.name);
    expect(names).toEqual(['a', 'b', 'c']);
    expect(calls).toBe(4);
  });

  it('falls back to older API versions and reports uninstalled meshes as notInstalled', async () => {
    server.use(
      http.get(
        `${API}/apis/security.istio.io/v1/:plural`,
        () => new HttpResponse(null, { status: 404 }),
      ),
      http.get(
        `${API}/apis/security.istio.io/v1beta1/peerauthentications`,
        () =>
          HttpResponse.json({
            items: [
              {
                metadata: { name: 'default', namespace: 'istio-system' },
                spec: { mtls: { mode: 'STRICT' } },
              },
            ],
          }),
      ),
      http.get(
        `${API}/apis/security.istio.io/v1beta1/authorizationpolicies`,
        () => HttpResponse.json({ items: [] }),
      ),
      http.get(
        `${API}/apis/policy.linkerd.io/*`,
        () => new HttpResponse(null, { status: 404 }),
      ),
      emptyCluster(),
    );
    const result = await source().read();
    const pa = result.objects.find(
      (o: any) => o.kind === 'PeerAuthentication',
    ) as any;
    expect(pa.apiVersion).toBe('security.istio.io/v1beta1');
    expect(
      result.kinds.find(k => k.key === 'security.istio.io/peerauthentications'),
    ).toMatchObject({ state: 'ok', version: 'v1beta1' });
    for (const key of [
      'policy.linkerd.io/servers',
      'policy.linkerd.io/meshtlsauthentications',
    ]) {
      expect(result.kinds.find(k => k.key === key)).toMatchObject({
        state: 'notInstalled',
      });
    }
  });

  it('names the missing RBAC verb on 403 and keeps reading the other kinds', async () => {
    server.use(
      http.get(`${API}/apis/networking.k8s.io/v1/networkpolicies`, () =>
        HttpResponse.json(
          { message: `forbidden: token ${TOKEN}` },
          { status: 403 },
        ),
      ),
      emptyCluster(),
    );
    const result = await source().read();
    const status = result.kinds.find(
      k => k.key === 'networking.k8s.io/networkpolicies',
    );
    expect(status).toMatchObject({
      state: 'forbidden',
      message:
        'missing RBAC: list networkpolicies.networking.k8s.io (cluster-wide)',
    });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(result.kinds.find(k => k.key === 'pods')?.state).toBe('ok');
  });

  it('reads the mesh ConfigMaps by name only', async () => {
    const seen: string[] = [];
    server.use(
      http.get(`${API}/api/v1/namespaces/istio-system/configmaps/istio`, () =>
        HttpResponse.json({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'istio', namespace: 'istio-system' },
          data: { mesh: 'trustDomain: example.org' },
        }),
      ),
      emptyCluster(seen),
    );
    const result = await source().read();
    expect(result.objects).toContainEqual(
      expect.objectContaining({
        kind: 'ConfigMap',
        data: { mesh: 'trustDomain: example.org' },
      }),
    );
    expect(seen.some(p => p.startsWith('/api/v1/configmaps'))).toBe(false);
    expect(seen.some(p => /\/secrets(\?|\/|$)/.test(p))).toBe(false);
  });

  it('lists the revisioned mesh ConfigMaps in istio-system by label, keeping only istio-<revision>', async () => {
    const seen: string[] = [];
    const configMap = (
      name: string,
      revision: string,
      data: Record<string, string>,
    ) => ({
      metadata: {
        name,
        namespace: 'istio-system',
        labels: { 'istio.io/rev': revision },
        managedFields: [{ manager: 'pilot-discovery' }],
      },
      data,
    });
    server.use(
      http.get(
        `${API}/api/v1/namespaces/istio-system/configmaps`,
        ({ request }) => {
          const url = new URL(request.url);
          seen.push(url.search);
          expect(url.searchParams.get('labelSelector')).toBe('istio.io/rev');
          if (!url.searchParams.get('continue'))
            return HttpResponse.json({
              kind: 'ConfigMapList',
              items: [
                configMap('istio-canary', 'canary', {
                  mesh: 'trustDomain: canary.td',
                  meshNetworks: 'networks: {}',
                }),
                // The revision's injector: same label, not a mesh config.
                configMap('istio-sidecar-injector-canary', 'canary', {
                  config: 'x'.repeat(10_000),
                }),
              ],
              metadata: { continue: 'page2' },
            });
          return HttpResponse.json({
            kind: 'ConfigMapList',
            items: [
              configMap('istio', 'default', { mesh: 'trustDomain: td' }),
              configMap('values-stable', 'stable', { 'original-values': '{}' }),
              configMap('istio-stable', 'stable', {
                mesh: 'trustDomain: stable.td',
              }),
            ],
            metadata: {},
          });
        },
      ),
      emptyCluster(),
    );
    const result = await source().read();
    const configMaps = result.objects.filter(
      (o: any) => o.kind === 'ConfigMap',
    );
    expect(configMaps).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'istio-canary',
          namespace: 'istio-system',
          labels: { 'istio.io/rev': 'canary' },
        },
        data: { mesh: 'trustDomain: canary.td' },
      },
      expect.objectContaining({
        metadata: expect.objectContaining({ name: 'istio-stable' }),
        data: { mesh: 'trustDomain: stable.td' },
      }),
    ]);
    expect(seen).toHaveLength(2);
    expect(
      result.kinds.find(
        k => k.key === 'configmaps/istio-system/istio-<revision>',
      ),
    ).toEqual({
      key: 'configmaps/istio-system/istio-<revision>',
      state: 'ok',
      version: 'v1',
      count: 2,
    });
  });

  it("keeps the Gateway API's HTTPRoutes attached to a Linkerd Server, and no others", async () => {
    const route = (name: string, parentRefs: object[]) => ({
      metadata: { name, namespace: 'data' },
      spec: { parentRefs, rules: [] },
    });
    server.use(
      http.get(`${API}/apis/gateway.networking.k8s.io/v1/httproutes`, () =>
        HttpResponse.json({
          kind: 'HTTPRouteList',
          items: [
            route('on-server', [
              { group: 'policy.linkerd.io', kind: 'Server', name: 'b-http' },
            ]),
            route('on-gateway', [
              {
                group: 'gateway.networking.k8s.io',
                kind: 'Gateway',
                name: 'gw',
              },
            ]),
            route('on-service', [{ group: '', kind: 'Service', name: 'b' }]),
          ],
          metadata: {},
        }),
      ),
      emptyCluster(),
    );
    const result = await source().read();
    expect(
      result.objects
        .filter((o: any) => o.kind === 'HTTPRoute')
        .map((o: any) => [o.apiVersion, o.metadata.name]),
    ).toEqual([['gateway.networking.k8s.io/v1', 'on-server']]);
    expect(
      result.kinds.find(k => k.key === 'gateway.networking.k8s.io/httproutes'),
    ).toEqual({
      key: 'gateway.networking.k8s.io/httproutes',
      state: 'ok',
      version: 'v1',
      count: 1,
    });
  });

  it.each([
    [
      'forbidden',
      () => HttpResponse.json({ kind: 'Status' }, { status: 403 }),
      {
        state: 'forbidden',
        message: 'missing RBAC: list configmaps in namespace istio-system',
      },
    ],
    [
      'not a List',
      () => HttpResponse.json({ kind: 'Status', status: 'Success' }),
      {
        state: 'error',
        message:
          'HTTP 200 listing configmaps in namespace istio-system: the body is not a Kubernetes List',
      },
    ],
    [
      'not JSON',
      () => new HttpResponse('<html>proxy error</html>', { status: 200 }),
      {
        state: 'error',
        message:
          'HTTP 200 listing configmaps in namespace istio-system: the body is not JSON',
      },
    ],
    [
      'an endless list',
      () =>
        HttpResponse.json({
          items: [],
          metadata: { continue: 'again' },
        }),
      {
        state: 'error',
        message:
          'listing configmaps in namespace istio-system did not finish within 3 requests (meshSecurity.maxPagesPerList)',
      },
    ],
  ])(
    'revisioned mesh ConfigMaps %s: the key fails, nothing is held',
    async (_name, answer, expected) => {
      server.use(
        http.get(`${API}/api/v1/namespaces/istio-system/configmaps`, answer),
        emptyCluster(),
      );
      const result = await new KubernetesSource(
        { name: 'prod', url: API, serviceAccountToken: TOKEN },
        { pageSize: 2, timeoutMs: 300, maxPagesPerList: 3 },
      ).read();
      expect(
        result.kinds.find(
          k => k.key === 'configmaps/istio-system/istio-<revision>',
        ),
      ).toMatchObject({ count: 0, ...expected });
      expect(result.objects).toEqual([]);
      expect(JSON.stringify(result)).not.toContain(TOKEN);
    },
  );

  it('throws a safe error when the cluster rejects the credentials', async () => {
    server.use(
      http.get(`${API}/*`, () =>
        HttpResponse.json({ message: `bad token ${TOKEN}` }, { status: 401 }),
      ),
    );
    const error = await source()
      .read()
      .catch(e => e);
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect(error.message).toBe(
      'cluster prod rejected the configured credentials (401 Unauthorized)',
    );
  });

  it('gives up on a slow cluster after the timeout', async () => {
    // The API server answers only once the read has given up: a read that waited for it would
    // never end (and fail by the test's timeout), whatever the machine's speed.
    let answer!: () => void;
    const held = new Promise<void>(resolve => {
      answer = resolve;
    });
    server.use(
      http.get(`${API}/*`, async () => {
        await held;
        return HttpResponse.json({ items: [] });
      }),
    );
    const error = await source()
      .read()
      .catch(e => e);
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect(error.message).toContain('no answer within 300 ms');
    expect(error.message).not.toContain(TOKEN);
    answer();
    await delay(50); // let the abandoned mock responses finish before the next test
  });

  it('stops a list that never ends after maxPagesPerList requests, and fails that kind', async () => {
    let podRequests = 0;
    server.use(
      // A broken or hostile API server: every page carries another continue token.
      http.get(`${API}/api/v1/pods`, ({ request }) => {
        podRequests++;
        const token = new URL(request.url).searchParams.get('continue');
        return HttpResponse.json({
          items: [pod(`p${podRequests}`)],
          metadata: { continue: `${token ?? ''}x` },
        });
      }),
      emptyCluster(),
    );
    const result = await new KubernetesSource(
      { name: 'prod', url: API, serviceAccountToken: TOKEN },
      { pageSize: 1, maxPagesPerList: 5 },
    ).read();
    expect(podRequests).toBe(5);
    expect(result.kinds.find(k => k.key === 'pods')).toEqual({
      key: 'pods',
      state: 'error',
      count: 0,
      message:
        'listing pods did not finish within 5 requests (meshSecurity.maxPagesPerList)',
    });
    expect(result.objects.some((o: any) => o.kind === 'Pod')).toBe(false);
    expect(result.kinds.find(k => k.key === 'services')?.state).toBe('ok');
  });

  it('fails the kind that would hold more than maxObjectsPerCluster objects', async () => {
    server.use(
      http.get(`${API}/api/v1/namespaces`, () =>
        HttpResponse.json({
          items: [{ metadata: { name: 'shop' } }],
          metadata: {},
        }),
      ),
      http.get(`${API}/api/v1/pods`, ({ request }) =>
        new URL(request.url).searchParams.get('continue')
          ? HttpResponse.json({ items: [pod('c'), pod('d')], metadata: {} })
          : HttpResponse.json({
              items: [pod('a'), pod('b')],
              metadata: { continue: 'page2' },
            }),
      ),
      emptyCluster(),
    );
    const result = await new KubernetesSource(
      { name: 'prod', url: API, serviceAccountToken: TOKEN },
      { pageSize: 2, maxObjects: 3 },
    ).read();
    expect(result.kinds.find(k => k.key === 'pods')).toMatchObject({
      state: 'error',
      message:
        'cluster prod holds more than 3 objects (meshSecurity.maxObjectsPerCluster)',
    });
    expect(result.kinds.find(k => k.key === 'namespaces')).toMatchObject({
      state: 'ok',
      count: 1,
    });
    expect(result.objects.map((o: any) => o.kind)).toEqual(['Namespace']);
  });

  it('stops at the read deadline or when the caller gives up, failing the kinds not read', async () => {
    server.use(
      http.get(`${API}/api/v1/pods`, async ({ request }) => {
        await delay(20);
        return HttpResponse.json({
          items: [],
          metadata: {
            continue: `${new URL(request.url).searchParams.get('continue')}x`,
          },
        });
      }),
      emptyCluster(),
    );
    const options = { maxPagesPerList: 1_000_000 };
    const cluster = { name: 'prod', url: API, serviceAccountToken: TOKEN };
    const timedOut = await new KubernetesSource(cluster, {
      ...options,
      maxReadMs: 1000,
    }).read();
    expect(timedOut.kinds.find(k => k.key === 'pods')).toMatchObject({
      state: 'error',
      message:
        'the read of cluster prod stopped after 1 s before this kind was read (meshSecurity.refreshTimeout)',
    });
    expect(timedOut.kinds.find(k => k.key === 'namespaces')?.state).toBe('ok');

    const caller = new AbortController();
    const reading = new KubernetesSource(cluster, options).read(caller.signal);
    await delay(100);
    caller.abort();
    const cancelled = await reading;
    expect(cancelled.kinds.find(k => k.key === 'pods')).toMatchObject({
      state: 'error',
      message:
        'the read of cluster prod was cancelled before this kind was read',
    });
    await delay(50); // let the abandoned mock response finish before the next test
  });

  it('treats a 200 whose body is not JSON, not a List or not a ConfigMap as an error', async () => {
    server.use(
      http.get(
        `${API}/apis/security.istio.io/v1/authorizationpolicies`,
        () =>
          new HttpResponse('<html>proxy error</html>', {
            status: 200,
            headers: { 'content-type': 'text/html' },
          }),
      ),
      http.get(`${API}/apis/security.istio.io/v1/peerauthentications`, () =>
        HttpResponse.json({ kind: 'Status', status: 'Success' }),
      ),
      http.get(
        `${API}/api/v1/namespaces/istio-system/configmaps/istio`,
        () => new HttpResponse('not json', { status: 200 }),
      ),
      emptyCluster(),
    );
    const result = await source().read();
    const status = (key: string) => result.kinds.find(k => k.key === key);
    expect(status('security.istio.io/authorizationpolicies')).toMatchObject({
      state: 'error',
      message:
        'HTTP 200 listing authorizationpolicies.security.istio.io: the body is not JSON',
    });
    expect(status('security.istio.io/peerauthentications')).toMatchObject({
      state: 'error',
      message:
        'HTTP 200 listing peerauthentications.security.istio.io: the body is not a Kubernetes List',
    });
    expect(status('configmaps/istio-system/istio')).toMatchObject({
      state: 'error',
      message:
        'HTTP 200 reading ConfigMap istio-system/istio: the body is not JSON',
    });
    expect(result.objects).toEqual([]);
  });

  it('never runs more than two requests at once', async () => {
    let active = 0;
    let peak = 0;
    server.use(
      http.get(`${API}/*`, async ({ request }) => {
        active++;
        peak = Math.max(peak, active);
        await delay(5);
        active--;
        if (request.url.includes('/configmaps/'))
          return new HttpResponse(null, { status: 404 });
        return HttpResponse.json({ items: [] });
      }),
    );
    await source().read();
    expect(peak).toBe(2);
  });
});
