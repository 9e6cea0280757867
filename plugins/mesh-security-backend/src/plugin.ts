import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  meshSecurityPermissions,
  readGitopsRepositorySettings,
} from '@mesh-security/plugin-mesh-security-common';
import path from 'node:path';
import { readMeshSecurityConfig } from './config';
import { createRouter } from './router';
import { EntityDirectory } from './entities/EntityDirectory';
import { GithubPullRequestLister } from './pullRequests/GithubPullRequestLister';
import { PullRequestService } from './pullRequests/PullRequestService';
import { PostureService } from './service/PostureService';
import { ClusterViews } from './snapshots/ClusterViews';
import { SnapshotRefresher } from './snapshots/SnapshotRefresher';
import { SnapshotStore } from './snapshots/SnapshotStore';
import { trafficObservationsReaderRef } from './traffic/serviceRef';
import { ClusterSource } from './sources/ClusterSource';
import { readHistorySettings } from './history/config';
import { HistoryRecorder, recordWhenKnown } from './history/HistoryRecorder';
import { HistoryService } from './history/HistoryService';
import { HistoryStore } from './history/HistoryStore';
import { readDemoSeed, seedDemoHistory } from './history/demoSeed';
import { readNotificationSettings } from './notifications/config';
import { NotificationStateStore } from './notifications/NotificationStateStore';
import { RegressionNotifier } from './notifications/RegressionNotifier';
import { KubernetesSource } from './sources/KubernetesSource';
import { KubernetesWatcher } from './sources/KubernetesWatcher';
import { WatchRefresher } from './snapshots/WatchRefresher';
import { ManifestsSource } from './sources/ManifestsSource';

/**
 * The Mesh Security backend plugin (`pluginId: mesh-security`). Wiring only: clusters are read
 * in the background by scheduled tasks (scope `global`: one replica reads each cluster at a
 * time) into the shared cache; every replica answers requests from that snapshot.
 *
 * @public
 */
export const meshSecurityPlugin = createBackendPlugin({
  pluginId: 'mesh-security',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        cache: coreServices.cache,
        scheduler: coreServices.scheduler,
        permissions: coreServices.permissions,
        auth: coreServices.auth,
        permissionsRegistry: coreServices.permissionsRegistry,
        database: coreServices.database,
        catalog: catalogServiceRef,
        traffic: trafficObservationsReaderRef,
        notifications: notificationService,
        instanceMetadata: coreServices.rootInstanceMetadata,
      },
      async init({
        httpRouter,
        httpAuth,
        auth,
        logger,
        config,
        cache,
        scheduler,
        permissions,
        permissionsRegistry,
        database,
        catalog,
        traffic,
        notifications,
        instanceMetadata,
      }) {
        const settings = readMeshSecurityConfig(config, logger);
        permissionsRegistry.addPermissions(meshSecurityPermissions);

        const store = new SnapshotStore(cache);
        for (const cluster of settings.clusters) {
          if (cluster.type === 'kubernetes' && settings.watch.enabled) {
            // Live and incremental (docs/backend.md "Watches"): one replica at a time keeps the
            // cluster's watches for a session, publishing every change as a delta.
            const watching = new WatchRefresher(
              cluster.name,
              () =>
                new KubernetesWatcher(cluster, {
                  timeoutMs: settings.requestTimeoutMs,
                  maxPagesPerList: settings.maxPagesPerList,
                  maxObjects: settings.maxObjectsPerCluster,
                }),
              store,
              logger,
              {
                publishIntervalMs: settings.watch.publishIntervalMs,
                podPublishIntervalMs: settings.watch.podPublishIntervalMs,
                heartbeatMs: settings.watch.heartbeatMs,
                sessionMs: settings.watch.sessionMs,
                retryIntervalSeconds: settings.refreshIntervalSeconds,
              },
            );
            await scheduler.scheduleTask({
              id: `mesh-security-watch-${cluster.name}`,
              // The next session starts as soon as the last one handed over.
              frequency: { seconds: 5 },
              timeout: { milliseconds: settings.watch.sessionMs + 60_000 },
              scope: 'global',
              fn: async signal => {
                await watching.run(signal);
              },
            });
            continue;
          }
          const source: ClusterSource =
            cluster.type === 'kubernetes'
              ? new KubernetesSource(cluster, {
                  timeoutMs: settings.requestTimeoutMs,
                  maxPagesPerList: settings.maxPagesPerList,
                  maxObjects: settings.maxObjectsPerCluster,
                  maxReadMs: settings.readTimeoutMs,
                })
              : new ManifestsSource(
                  cluster.name,
                  path.resolve(cluster.path),
                  settings.manifests,
                  cluster.demoTrustRoots,
                );
          const refresher = new SnapshotRefresher(source, store, logger, {
            refreshIntervalSeconds: settings.refreshIntervalSeconds,
          });
          await scheduler.scheduleTask({
            id: `mesh-security-refresh-${cluster.name}`,
            frequency: { seconds: settings.refreshIntervalSeconds },
            timeout: { milliseconds: settings.refreshTimeoutMs },
            scope: 'global',
            fn: async signal => {
              await refresher.refresh(signal);
            },
          });
        }
        logger.info(
          `Mesh Security reads ${settings.clusters.length} cluster(s): ${
            settings.clusters.map(c => `${c.name} (${c.type})`).join(', ') ||
            'none configured'
          }`,
        );

        const views = new ClusterViews(store, {
          clusters: settings.clusters.map(c => c.name),
          refreshIntervalSeconds: settings.refreshIntervalSeconds,
          certificateExpiryWarningDays: settings.certificateExpiryWarningDays,
          linkerdDefaultInboundPolicy: settings.linkerdDefaultInboundPolicy,
          platformNamespaces: settings.platformNamespaces,
          watchHeartbeatSeconds: settings.watch.heartbeatMs / 1000,
          onError: (cluster, error) =>
            logger.error(
              `Mesh Security could not build the access graph of cluster ${cluster}: ${error.message}`,
            ),
        });
        // What entities say, read with our own credentials; every replica keeps its own copy
        // (scope `local`), refreshed in the background so views do not wait for the catalog.
        const entities = new EntityDirectory({
          catalog,
          auth,
          ttlMs: settings.entityCacheSeconds * 1000,
        });
        await scheduler.scheduleTask({
          id: 'mesh-security-entities',
          frequency: { seconds: settings.entityCacheSeconds },
          timeout: { minutes: 2 },
          scope: 'local',
          fn: async () => {
            try {
              await entities.refresh();
            } catch (error) {
              logger.warn(
                `Mesh Security could not list annotated components from the catalog: ${
                  (error as Error).message
                }`,
              );
            }
          },
        });
        const integrations = ScmIntegrations.fromConfig(config);
        const pullRequestCacheSeconds =
          config.getOptionalNumber(
            'meshSecurity.accessRequests.pullRequestCacheSeconds',
          ) ?? 60;
        if (!(pullRequestCacheSeconds > 0)) {
          throw new Error(
            'meshSecurity.accessRequests.pullRequestCacheSeconds must be a positive number of seconds',
          );
        }
        const pullRequests = new PullRequestService({
          settings: readGitopsRepositorySettings(config),
          integrations,
          cache,
          logger,
          lister: new GithubPullRequestLister({ integrations, logger }),
          ttlMs: pullRequestCacheSeconds * 1000,
          errorTtlMs: Math.min(pullRequestCacheSeconds, 30) * 1000,
        });
        const posture = new PostureService(views, traffic);
        const historySettings = readHistorySettings(config);
        let historyStore: HistoryStore | undefined;
        if (historySettings.enabled) {
          // Validated before anything is written: a bad seed file stops the start.
          const seed = historySettings.demoSeed
            ? readDemoSeed(path.resolve(historySettings.demoSeed))
            : undefined;
          historyStore = await HistoryStore.create(await database.getClient(), {
            skipMigrations: database.migrations?.skip,
          });
          if (seed) {
            const seeded = await seedDemoHistory(historyStore, seed, {
              now: new Date(),
              retentionDays: historySettings.retentionDays,
            });
            logger.info(
              `Mesh Security history: seeded ${seeded.length} of ${seed.components.length} component(s) from the demo events in ${historySettings.demoSeed} (demo data; components with a history are left alone)`,
            );
          }
          const recorder = new HistoryRecorder({
            store: historyStore,
            components: () => entities.annotated(),
            posture: entity =>
              posture.entityPosture(entity, { clusterErrorDetails: false }),
            logger,
            retentionDays: historySettings.retentionDays,
          });
          // One replica records at a time (scope `global`). Right after a start the clusters are
          // usually not read yet (every answer is partial) or the catalog has not listed its
          // components yet: nothing is recorded, so the task tries again every 30 seconds, for
          // up to 10 minutes, before waiting for its next run.
          await scheduler.scheduleTask({
            id: 'mesh-security-history',
            frequency: { minutes: historySettings.recordIntervalMinutes },
            initialDelay: { seconds: 15 },
            timeout: { minutes: 15 },
            scope: 'global',
            fn: signal => recordWhenKnown(() => recorder.run(), signal),
          });
        }
        // Regression notifications (docs/backend.md "Notifications on regressions"). The
        // notification service always resolves (its default implementation posts to the
        // notifications backend), so without `enabled` they are on only when that backend runs
        // in this instance.
        const notificationSettings = readNotificationSettings(config);
        const notificationsEnabled =
          notificationSettings.enabled ??
          (await instanceMetadata.getInstalledPlugins()).some(
            p => p.pluginId === 'notifications',
          );
        if (notificationsEnabled) {
          // After the history store: both run the plugin's migrations, one at a time.
          const notifier = new RegressionNotifier({
            store: await NotificationStateStore.create(
              await database.getClient(),
              { skipMigrations: database.migrations?.skip },
            ),
            components: () => entities.annotated(),
            posture: entity =>
              posture.entityPosture(entity, { clusterErrorDetails: false }),
            notifications,
            logger,
            settings: notificationSettings,
          });
          // One replica compares at a time (scope `global`); the database's compare-and-set
          // keeps a change from being notified twice even so.
          await scheduler.scheduleTask({
            id: 'mesh-security-notifications',
            frequency: { seconds: notificationSettings.checkIntervalSeconds },
            timeout: { minutes: 15 },
            scope: 'global',
            fn: async signal => {
              await notifier.run(signal);
            },
          });
        }
        logger.info(
          `Mesh Security regression notifications are ${
            notificationsEnabled ? 'on' : 'off'
          }${
            notificationSettings.enabled === undefined
              ? ` (the notifications backend is ${
                  notificationsEnabled ? '' : 'not '
                }installed)`
              : ''
          }`,
        );
        httpRouter.use(
          await createRouter({
            httpAuth,
            permissions,
            catalog,
            entities,
            posture,
            pullRequests,
            history: new HistoryService(historySettings, historyStore),
          }),
        );
      },
    });
  },
});
