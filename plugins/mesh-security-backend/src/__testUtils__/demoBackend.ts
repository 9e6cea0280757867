import {
  createServiceFactory,
  SchedulerService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  notificationService,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import request from 'supertest';
import { AuthorizeCall, Denial, permissionsDenying } from './permissions';
import meshSecurityPlugin from '../index';
import { trafficObservationsReaderRef } from '../traffic/serviceRef';
import { TrafficObservationsReader } from '../traffic/types';
import { destroyDatabaseOnStop } from './destroyDatabaseOnStop';

const repoRoot = path.resolve(__dirname, '../../../..');
/** The demo cluster's manifests (catalog/demo-cluster). */
const demoCluster = path.join(repoRoot, 'catalog/demo-cluster');

/** A mock scheduler (its tasks run when the test triggers them) and its service factory. */
export type TestScheduler = SchedulerService & { factory(): ServiceFactory };

/**
 * `mockServices.scheduler()`, typed as what it is at runtime: a scheduler with a `factory()`
 * (backend-test-utils declares it as a plain SchedulerService).
 */
export function testScheduler(): TestScheduler {
  return mockServices.scheduler() as TestScheduler;
}

/** The demo catalog's components, exactly as the app registers them. */
function demoEntities(): Entity[] {
  const dir = path.join(repoRoot, 'catalog/components');
  return fs.readdirSync(dir).flatMap(file =>
    parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8')).map(d => {
      const entity = d.toJS() as Entity;
      entity.metadata.namespace ??= 'default';
      return entity;
    }),
  );
}

/**
 * The plugin in a test backend over the demo cluster (plus `clusters`), with the demo catalog
 * (or `entities`) and a permission policy denying `deny`; returns once every cluster was tried.
 */
export async function startDemoBackend(
  options: {
    entities?: Entity[];
    deny?: Denial[];
    calls?: AuthorizeCall[];
    /** More `meshSecurity.clusters` entries. */
    clusters?: object[];
    logger?: ReturnType<typeof mockServices.logger.mock>;
    /** The catalog (default: an in-memory one holding `entities`). */
    catalog?: ReturnType<typeof catalogServiceMock.factory>;
    /** Where observed traffic comes from (default: `trafficConfig`, else none configured). */
    traffic?: TrafficObservationsReader;
    /** `meshSecurity.traffic`, read by the plugin's own metrics reader. */
    trafficConfig?: object;
    /** `meshSecurity.history`. */
    historyConfig?: object;
    /** A scheduler the test triggers tasks of (default: the test backend's own). */
    scheduler?: TestScheduler;
    /** The notification service (default: the one posting to the notifications backend). */
    notifications?: NotificationService;
    /** `meshSecurity.notifications`. */
    notificationsConfig?: object;
    /** Where the demo cluster's manifests are read (default: catalog/demo-cluster). */
    demoClusterPath?: string;
  } = {},
) {
  const { server } = await startTestBackend({
    features: [
      meshSecurityPlugin,
      destroyDatabaseOnStop('mesh-security'),
      ...(options.logger ? [options.logger.factory] : []),
      ...(options.scheduler ? [options.scheduler.factory()] : []),
      options.catalog ??
        catalogServiceMock.factory({
          entities: options.entities ?? demoEntities(),
        }),
      permissionsDenying(options.deny ?? [], options.calls),
      ...(options.traffic
        ? [
            createServiceFactory({
              service: trafficObservationsReaderRef,
              deps: {},
              factory: () => options.traffic!,
            }),
          ]
        : []),
      ...(options.notifications
        ? [
            createServiceFactory({
              service: notificationService,
              deps: {},
              factory: () => options.notifications!,
            }),
          ]
        : []),
      mockServices.rootConfig.factory({
        data: {
          meshSecurity: {
            clusters: [
              {
                name: 'demo',
                type: 'manifests',
                path: options.demoClusterPath ?? demoCluster,
                // As app-config.yaml: the trust anchor expires 29 days from now.
                demoTrustRoots: [
                  {
                    configMap: 'linkerd/linkerd-identity-trust-roots',
                    validDays: 29,
                  },
                ],
              },
              ...(options.clusters ?? []),
            ],
            ...(options.trafficConfig
              ? { traffic: options.trafficConfig }
              : {}),
            ...(options.historyConfig
              ? { history: options.historyConfig }
              : {}),
            ...(options.notificationsConfig
              ? { notifications: options.notificationsConfig }
              : {}),
          },
        },
      }),
    ],
  });
  // The first read runs as the scheduled task starts; wait until every cluster was tried.
  for (let i = 0; i < 100; i++) {
    const res = await request(server)
      .get('/api/mesh-security/health')
      .set('authorization', mockCredentials.user.header());
    if (res.status === 200) break;
    await new Promise(r => setTimeout(r, 50));
  }
  return server;
}

/** The request, as the mock user. */
export const asUser = (req: request.Test) =>
  req.set('authorization', mockCredentials.user.header());

/**
 * Waits until every cluster's access graph is complete (`/health` says `accessGraphReady`):
 * until then answers are provisional — a view lists every finding of its namespaces (more,
 * never fewer), so two answers taken a moment apart may count differently.
 */
export async function untilGraphsReady(server: unknown): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const health = await asUser(
      request(server as any).get('/api/mesh-security/health'),
    );
    if (health.body.clusters?.every((c: any) => c.accessGraphReady)) return;
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error('the access graphs were not complete within 30 s');
}

/** `meshSecurity.traffic` of the demo: the recorded Prometheus answers of catalog/demo-traffic. */
const DEMO_RECORDED_TRAFFIC = {
  sources: [
    {
      type: 'recorded',
      path: path.join(repoRoot, 'catalog/demo-traffic/recorded-traffic.json'),
      clusters: [{ name: 'demo' }],
    },
  ],
};

/**
 * The demo backend reading the demo's recorded traffic; returns once the demo cluster's
 * observations are read (the traffic task runs beside the cluster read).
 */
export async function startDemoBackendWithTraffic(
  options: Omit<Parameters<typeof startDemoBackend>[0], 'trafficConfig'> = {},
) {
  const server = await startDemoBackend({
    ...options,
    trafficConfig: DEMO_RECORDED_TRAFFIC,
  });
  for (let i = 0; i < 100; i++) {
    const res = await asUser(
      request(server).get('/api/mesh-security/overview?limit=1'),
    );
    if (res.body.observedTraffic?.observations[0]?.status === 'ok') break;
    await new Promise(r => setTimeout(r, 50));
  }
  return server;
}
