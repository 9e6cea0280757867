import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import path from 'node:path';
import request from 'supertest';
import { KUBERNETES_ANNOTATION } from '@backstage/plugin-kubernetes-common';
import meshSecurityPlugin from './index';
import { destroyDatabaseOnStop } from './__testUtils__/destroyDatabaseOnStop';

const CANARY = 'canary-token-d41d8cd98f00b204';
const demoCluster = path.resolve(__dirname, '../../../catalog/demo-cluster');

// msw serves the fake clusters; requests to the in-process backend (loopback) pass through.
const k8s = setupServer();
beforeAll(() => k8s.listen({ onUnhandledRequest: 'bypass' }));
afterEach(() => k8s.resetHandlers());
afterAll(() => k8s.close());

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: { [KUBERNETES_ANNOTATION]: 'payments-api' },
  },
  spec: { owner: 'payments-team', type: 'service', lifecycle: 'production' },
};

async function start() {
  const logger = mockServices.logger.mock();
  logger.child.mockReturnValue(logger);
  const { server } = await startTestBackend({
    features: [
      meshSecurityPlugin,
      destroyDatabaseOnStop('mesh-security'),
      logger.factory,
      catalogServiceMock.factory({ entities: [entity] }),
      mockServices.rootConfig.factory({
        data: {
          kubernetes: {
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  {
                    name: 'down',
                    url: 'https://down.k8s.test',
                    authProvider: 'serviceAccount',
                    serviceAccountToken: CANARY,
                  },
                  {
                    name: 'locked',
                    url: 'https://locked.k8s.test',
                    authProvider: 'serviceAccount',
                    serviceAccountToken: CANARY,
                  },
                ],
              },
            ],
          },
          meshSecurity: {
            clusters: [{ name: 'demo', type: 'manifests', path: demoCluster }],
            requestTimeoutMs: 500,
          },
        },
      }),
    ],
  });
  return { server, logger };
}

describe('several clusters, one of them down', () => {
  jest.setTimeout(30_000);

  it('serves the healthy clusters, flags the others, and never leaks a token', async () => {
    k8s.use(
      // "down" drops every connection; "locked" rejects the token and says so in its body.
      http.get('https://down.k8s.test/*', () => HttpResponse.error()),
      http.get('https://locked.k8s.test/*', () =>
        HttpResponse.json(
          { message: `token ${CANARY} is invalid` },
          { status: 401 },
        ),
      ),
    );
    const { server, logger } = await start();
    const get = (url: string) =>
      request(server)
        .get(`/api/mesh-security${url}`)
        .set('authorization', mockCredentials.user.header());

    let health = await get('/health');
    for (
      let i = 0;
      i < 100 &&
      (health.status !== 200 ||
        health.body.clusters.some((c: any) => c.status === 'pending'));
      i++
    ) {
      await new Promise(r => setTimeout(r, 50));
      health = await get('/health');
    }
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    const byName = Object.fromEntries(
      health.body.clusters.map((c: any) => [c.name, c]),
    );
    expect(byName.demo).toMatchObject({ status: 'ok', source: 'manifests' });
    expect(byName.demo.snapshotBytes).toBeGreaterThan(10_000);
    expect(byName.down).toMatchObject({
      status: 'unreachable',
      snapshotAgeSeconds: null,
    });
    expect(byName.down.unreachableSince).toEqual(expect.any(String));
    expect(byName.locked.error).toBe(
      'cluster locked rejected the configured credentials (401 Unauthorized)',
    );

    const posture = await get('/entity/component/default/payments-api');
    expect(posture.status).toBe(200);
    expect(posture.body.mtls).toBe('PARTIAL');
    expect(posture.body.partial).toBe(true);
    expect(posture.body.clusters.map((c: any) => c.name).sort()).toEqual([
      'demo',
      'down',
      'locked',
    ]);

    const overview = await get('/overview');
    expect(overview.status).toBe(200);
    expect(overview.body.partial).toBe(true);

    const everything = JSON.stringify([
      health.body,
      posture.body,
      overview.body,
    ]);
    expect(everything).not.toContain(CANARY);
    const logged = JSON.stringify(
      [logger.info, logger.warn, logger.error, logger.debug].flatMap(
        fn => fn.mock.calls,
      ),
    );
    expect(logged).toContain('could not watch cluster down');
    expect(logged).not.toContain(CANARY);
  });
});
