/*
 * docs/backend.md "Kinds that cannot be read": a kind whose list fails is answered from its last
 * good objects, flagged; without them, every verdict that depends on it is UNKNOWN or cannot be
 * evaluated — never ALLOW or a mode guessed from a snapshot that merely lacks the objects. The
 * Kubernetes API is mocked at the network edge (msw); the plugin runs in a test backend.
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import request from 'supertest';
import { KUBERNETES_ANNOTATION } from '@backstage/plugin-kubernetes-common';
import meshSecurityPlugin from './index';
import { destroyDatabaseOnStop } from './__testUtils__/destroyDatabaseOnStop';

const API = 'https://prod.k8s.test';
const AUTHORIZATION_POLICIES = 'security.istio.io/authorizationpolicies';
const PEER_AUTHENTICATIONS = 'security.istio.io/peerauthentications';

const k8s = setupServer();
beforeAll(() => k8s.listen({ onUnhandledRequest: 'bypass' }));
afterEach(() => k8s.resetHandlers());
afterAll(() => k8s.close());

const deployment = (name: string) => ({
  metadata: { name, namespace: 'shop' },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: {
        labels: { app: name, [KUBERNETES_ANNOTATION]: name },
      },
      spec: {
        serviceAccountName: name,
        containers: [{ name: 'app', ports: [{ containerPort: 8080 }] }],
      },
    },
  },
});

/** Lists by path; the kinds in `failing` answer 500, as an overloaded API server may. */
const LISTS: Record<string, unknown[]> = {
  '/api/v1/namespaces': [
    { metadata: { name: 'istio-system' } },
    { metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } },
  ],
  '/apis/apps/v1/deployments': [deployment('admin'), deployment('client')],
  '/apis/security.istio.io/v1/peerauthentications': [
    {
      metadata: { name: 'default', namespace: 'istio-system' },
      spec: { mtls: { mode: 'STRICT' } },
    },
  ],
  '/apis/security.istio.io/v1/authorizationpolicies': [
    {
      metadata: { name: 'deny-wipe', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'admin' } },
        action: 'DENY',
        rules: [{ to: [{ operation: { methods: ['DELETE'] } }] }],
      },
    },
  ],
};

function cluster(failing: Set<string>) {
  return http.get(`${API}/*`, ({ request: req }) => {
    const path = new URL(req.url).pathname;
    if (path.includes('/configmaps/'))
      return new HttpResponse(null, { status: 404 });
    if (
      [...failing].some(key => {
        const [group, plural] = key.split('/');
        return (
          path.startsWith(`/apis/${group}/`) && path.endsWith(`/${plural}`)
        );
      })
    )
      return HttpResponse.json(
        { kind: 'Status', message: 'etcdserver: request timed out' },
        { status: 500 },
      );
    return HttpResponse.json({
      kind: 'List',
      items: LISTS[path] ?? [],
      metadata: {},
    });
  });
}

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'admin',
    namespace: 'default',
    annotations: { [KUBERNETES_ANNOTATION]: 'admin' },
  },
  spec: { owner: 'platform', type: 'service', lifecycle: 'production' },
};

async function start() {
  // A MockSchedulerService (typed as the plain service): its factory installs this instance,
  // so the test can trigger the refresh task again.
  const scheduler = mockServices.scheduler() as ReturnType<
    typeof mockServices.scheduler
  > & { factory(): ReturnType<typeof mockServices.scheduler.factory> };
  const { server } = await startTestBackend({
    features: [
      meshSecurityPlugin,
      destroyDatabaseOnStop('mesh-security'),
      scheduler.factory(),
      catalogServiceMock.factory({ entities: [entity] }),
      mockServices.rootConfig.factory({
        data: {
          // The periodic reads (the watch mode's own tests: WatchRefresher.test.ts).
          meshSecurity: { watch: { enabled: false } },
          kubernetes: {
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  {
                    name: 'prod',
                    url: API,
                    authProvider: 'serviceAccount',
                    serviceAccountToken: 'token',
                  },
                ],
              },
            ],
          },
        },
      }),
    ],
  });
  const asUser = (test: request.Test) =>
    test.set('authorization', mockCredentials.user.header());
  return {
    refresh: () => scheduler.triggerTask('mesh-security-refresh-prod'),
    check: (body: object) =>
      asUser(request(server).post('/api/mesh-security/check').send(body)),
    posture: () =>
      asUser(
        request(server).get(
          '/api/mesh-security/entity/component/default/admin',
        ),
      ),
  };
}

/** The request the AuthorizationPolicy `deny-wipe` denies. */
const wipe = {
  from: { namespace: 'shop', name: 'client' },
  to: { namespace: 'shop', name: 'admin' },
  port: 8080,
  method: 'DELETE',
  path: '/admin/wipe',
};
/** A plaintext request the mesh-wide STRICT PeerAuthentication rejects. */
const plaintext = {
  from: { kind: 'external' },
  to: { namespace: 'shop', name: 'admin' },
  port: 8080,
  method: 'GET',
  path: '/health',
};

const layer = (response: request.Response, name: string) =>
  response.body.results[0].decision.reasons.find(
    (r: { layer: string }) => r.layer === name,
  );

describe('a kind whose list fails', () => {
  jest.setTimeout(60_000);

  it('AuthorizationPolicies never read: the check cannot be evaluated and does not ALLOW', async () => {
    k8s.use(cluster(new Set([AUTHORIZATION_POLICIES])));
    const backend = await start();
    const response = await backend.check(wipe);
    expect(response.status).toBe(200);
    expect(response.body.decision).toBe('DENY');
    const reason = `${AUTHORIZATION_POLICIES} of cluster prod could not be read (HTTP 500 listing authorizationpolicies.security.istio.io)`;
    expect(layer(response, 'authorization')).toMatchObject({
      effect: 'DENY',
      message: expect.stringContaining(reason),
    });
    expect(response.body.results[0].decision.cannotEvaluate).toContain(
      `Istio authorization: ${reason}`,
    );
    expect(response.body.partial).toBe(true);
    expect(response.body.partialReasons).toEqual([
      {
        cluster: 'prod',
        kind: AUTHORIZATION_POLICIES,
        state: 'error',
        message: 'HTTP 500 listing authorizationpolicies.security.istio.io',
        since: expect.any(String),
      },
    ]);
  });

  it('PeerAuthentications never read: ports are UNKNOWN, not PERMISSIVE, and plaintext is not allowed', async () => {
    k8s.use(cluster(new Set([PEER_AUTHENTICATIONS])));
    const backend = await start();
    const response = await backend.check(plaintext);
    expect(response.body.decision).toBe('DENY');
    expect(layer(response, 'mtls')).toMatchObject({
      effect: 'DENY',
      message: expect.stringContaining(
        `${PEER_AUTHENTICATIONS} of cluster prod could not be read`,
      ),
    });
    const posture = await backend.posture();
    expect(posture.status).toBe(200);
    expect(posture.body.workloads[0].ports[0]).toMatchObject({
      port: 8080,
      mtls: 'UNKNOWN',
      reason: expect.stringContaining(PEER_AUTHENTICATIONS),
    });
    expect(posture.body.mtls).toBe('UNKNOWN');
    expect(posture.body.partialReasons).toEqual([
      expect.objectContaining({ cluster: 'prod', kind: PEER_AUTHENTICATIONS }),
    ]);
  });

  it('after a good read: answers stay as the last good objects say, flagged with their age', async () => {
    const failing = new Set<string>();
    k8s.use(cluster(failing));
    const backend = await start();
    expect(layer(await backend.check(wipe), 'authorization')).toMatchObject({
      effect: 'DENY',
      policy: 'AuthorizationPolicy shop/deny-wipe',
    });

    failing.add(AUTHORIZATION_POLICIES).add(PEER_AUTHENTICATIONS);
    await backend.refresh();

    const denied = await backend.check(wipe);
    expect(denied.body.decision).toBe('DENY');
    expect(layer(denied, 'authorization')).toMatchObject({
      effect: 'DENY',
      policy: 'AuthorizationPolicy shop/deny-wipe',
    });
    const rejected = await backend.check(plaintext);
    expect(layer(rejected, 'mtls')).toMatchObject({
      effect: 'DENY',
      message: expect.stringContaining('is STRICT'),
    });
    const posture = await backend.posture();
    expect(posture.body.workloads[0].ports[0].mtls).toBe('STRICT');
    const fetchedAt = posture.body.clusters[0].fetchedAt;
    expect(posture.body.partialReasons).toEqual(
      [PEER_AUTHENTICATIONS, AUTHORIZATION_POLICIES].map(kind => ({
        cluster: 'prod',
        kind,
        state: 'error',
        message: expect.stringContaining('HTTP 500'),
        since: fetchedAt,
        fetchedAt: expect.any(String),
      })),
    );
    expect(
      posture.body.partialReasons.every(
        (r: { fetchedAt: string }) => r.fetchedAt < fetchedAt,
      ),
    ).toBe(true);
  });
});

describe('revisioned Istio mesh ConfigMaps (istio-<revision>)', () => {
  jest.setTimeout(60_000);
  const KEY = 'configmaps/istio-system/istio-<revision>';

  /** `shop` injected by revision `canary`; its ConfigMap is listed unless `forbidden`. */
  function canaryCluster(state: { forbidden: boolean }) {
    return [
      http.get(`${API}/api/v1/namespaces`, () =>
        HttpResponse.json({
          kind: 'List',
          items: [
            { metadata: { name: 'istio-system' } },
            {
              metadata: { name: 'shop', labels: { 'istio.io/rev': 'canary' } },
            },
          ],
          metadata: {},
        }),
      ),
      http.get(`${API}/api/v1/namespaces/istio-system/configmaps`, () =>
        state.forbidden
          ? HttpResponse.json({ kind: 'Status' }, { status: 403 })
          : HttpResponse.json({
              kind: 'List',
              items: [
                {
                  metadata: {
                    name: 'istio-canary',
                    namespace: 'istio-system',
                    labels: { 'istio.io/rev': 'canary' },
                  },
                  data: { mesh: 'trustDomain: canary.td' },
                },
              ],
              metadata: {},
            }),
      ),
      cluster(new Set()),
    ];
  }

  it('never read: the workloads of a revision fail closed, not under the default trust domain', async () => {
    k8s.use(...canaryCluster({ forbidden: true }));
    const backend = await start();
    const reason = `${KEY} of cluster prod may not be read (missing RBAC: list configmaps in namespace istio-system)`;
    const response = await backend.check(wipe);
    expect(response.body.decision).toBe('DENY');
    expect(
      response.body.results[0].decision.cannotEvaluate.join(' '),
    ).toContain(reason);
    const posture = await backend.posture();
    expect(posture.body.workloads[0].ports[0]).toMatchObject({
      mtls: 'UNKNOWN',
      reason: expect.stringContaining(reason),
    });
    expect(posture.body.partialReasons).toEqual([
      expect.objectContaining({
        cluster: 'prod',
        kind: KEY,
        state: 'forbidden',
      }),
    ]);
  });

  it("read once: the revision's trust domain is kept from the last good read", async () => {
    const state = { forbidden: false };
    k8s.use(...canaryCluster(state));
    const backend = await start();
    const identity = async () =>
      (await backend.posture()).body.workloads[0].identity;
    expect(await identity()).toBe('spiffe://canary.td/ns/shop/sa/admin');

    state.forbidden = true;
    await backend.refresh();
    const posture = await backend.posture();
    expect(posture.body.workloads[0].identity).toBe(
      'spiffe://canary.td/ns/shop/sa/admin',
    );
    expect(posture.body.workloads[0].ports[0].mtls).toBe('STRICT');
    expect(posture.body.partialReasons).toEqual([
      expect.objectContaining({
        kind: KEY,
        state: 'forbidden',
        fetchedAt: expect.any(String),
      }),
    ]);
  });
});

describe('Gateways (Istio waypoints)', () => {
  jest.setTimeout(60_000);
  const KEY = 'gateway.networking.k8s.io/gateways';

  it('never read: ambient workloads a label sends to a waypoint fail closed', async () => {
    // docs/engine.md "Ambient waypoints": which waypoint serves `shop`, and so which policies
    // apply, is unknown without the Gateways.
    k8s.use(
      http.get(`${API}/api/v1/namespaces`, () =>
        HttpResponse.json({
          kind: 'List',
          items: [
            { metadata: { name: 'istio-system' } },
            {
              metadata: {
                name: 'shop',
                labels: {
                  'istio.io/dataplane-mode': 'ambient',
                  'istio.io/use-waypoint': 'waypoint',
                },
              },
            },
          ],
          metadata: {},
        }),
      ),
      http.get(`${API}/apis/gateway.networking.k8s.io/:version/gateways`, () =>
        HttpResponse.json({ kind: 'Status' }, { status: 403 }),
      ),
      cluster(new Set()),
    );
    const backend = await start();
    const response = await backend.check({ ...wipe, method: 'GET' });
    expect(response.body.decision).toBe('DENY');
    expect(
      response.body.results[0].decision.cannotEvaluate.join(' '),
    ).toContain(
      `waypoint shop/waypoint (istio.io/use-waypoint on Namespace shop) cannot be known: ${KEY} of cluster prod may not be read`,
    );
    expect(response.body.partialReasons).toEqual([
      expect.objectContaining({
        cluster: 'prod',
        kind: KEY,
        state: 'forbidden',
      }),
    ]);
  });
});
