/*
 * Two backend replicas sharing a real Redis cache (run by .ci/test-services.sh, which starts a
 * throwaway redis-server from Debian's packages and sets MESH_SECURITY_TEST_REDIS). Replica A
 * reads the cluster; replica B never runs the refresh task, yet answers from the same snapshot:
 * both replicas' answers agree. Not part of the unit run: the root package.json's jest
 * testPathIgnorePatterns leave out every *.services.test.ts.
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { cacheServiceFactory } from '@backstage/backend-defaults/cache';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Socket } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { KUBERNETES_ANNOTATION } from '@backstage/plugin-kubernetes-common';
import meshSecurityPlugin from './index';
import { destroyDatabaseOnStop } from './__testUtils__/destroyDatabaseOnStop';
import { timeless } from './__testUtils__/timeless';

const redis = process.env.MESH_SECURITY_TEST_REDIS;
if (!redis) {
  throw new Error(
    'MESH_SECURITY_TEST_REDIS is not set: run this suite with `npm run test:services`, which starts Redis and sets it',
  );
}

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: { [KUBERNETES_ANNOTATION]: 'payments-api' },
  },
  spec: { owner: 'payments-team' },
};

function replica(runsRefresh: boolean) {
  return startTestBackend({
    features: [
      meshSecurityPlugin,
      destroyDatabaseOnStop('mesh-security'),
      cacheServiceFactory,
      mockServices.scheduler.factory({ skipTaskRunOnStartup: !runsRefresh }),
      catalogServiceMock.factory({ entities: [entity] }),
      mockServices.rootConfig.factory({
        data: {
          backend: { cache: { store: 'redis', connection: redis } },
          meshSecurity: {
            clusters: [
              {
                name: 'demo',
                type: 'manifests',
                path: path.resolve(__dirname, '../../../catalog/demo-cluster'),
              },
            ],
          },
        },
      }),
    ],
  });
}

describe('replicas sharing a Redis cache', () => {
  jest.setTimeout(60_000);

  it('answer from the same snapshot, whichever replica read the cluster', async () => {
    const reader = await replica(true);
    const follower = await replica(false);
    try {
      const get = (server: typeof reader.server, url: string) =>
        request(server)
          .get(`/api/mesh-security${url}`)
          .set('authorization', mockCredentials.user.header());

      // Steady state: both replicas have evaluated the generation and built its access graph
      // (until then a replica says so with accessGraphReady: false and may list more findings).
      const ready = async (server: typeof reader.server) => {
        const health = await get(server, '/health');
        return (
          health.status === 200 &&
          health.body.clusters.every((c: any) => c.accessGraphReady)
        );
      };
      await get(reader.server, '/entity/component/default/payments-api');
      await get(follower.server, '/entity/component/default/payments-api');
      let both = false;
      for (let i = 0; i < 400 && !both; i++) {
        both = (await ready(reader.server)) && (await ready(follower.server));
        if (!both) await new Promise(r => setTimeout(r, 50));
      }
      expect(both).toBe(true);

      const [a, b] = await Promise.all([
        get(reader.server, '/entity/component/default/payments-api'),
        get(follower.server, '/entity/component/default/payments-api'),
      ]);
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      // The two answers may be given a second apart: their ages aside, they are the same.
      expect(timeless(b.body)).toEqual(timeless(a.body));
      expect(b.body.mtls).toBe('PARTIAL');
      expect(b.body.workloads[0].name).toBe('payments-api');
    } finally {
      await reader.stop();
      await follower.stop();
      releaseRedisConnections();
    }
  });
});

/**
 * `@backstage/backend-defaults`' CacheManager (0.18) opens a Redis client per plugin and has no
 * shutdown hook to close it, and a cache service offers no way to: after both replicas have
 * stopped, their connections would hold this suite's Jest worker open until Jest forced it to
 * exit. They are unreferenced here (`.ci/test-services.sh` shuts the server down afterwards).
 */
function releaseRedisConnections() {
  const port = Number(new URL(redis!).port);
  const handles: unknown[] = (process as any)._getActiveHandles();
  for (const handle of handles) {
    if (handle instanceof Socket && handle.remotePort === port) handle.unref();
  }
}
