import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';

/**
 * A module of `pluginId` for test backends that destroys the plugin's Knex client once the
 * backend has stopped (the root lifecycle shuts down after every plugin's).
 *
 * `@backstage/backend-defaults`' DatabaseManager (0.18) destroys none of them: it means to skip
 * SQLite clients only, but its check calls `includes` on Knex's config object, and its
 * `Promise.allSettled` swallows the TypeError for every client. Each pool left open keeps a
 * reaper interval of one second, which also holds its suite's modules in memory, so a Jest worker
 * that had run the suites starting test backends could not exit when the run ended, and Jest
 * printed "A worker process has failed to exit gracefully".
 */
export function destroyDatabaseOnStop(pluginId: string) {
  return createBackendModule({
    pluginId,
    moduleId: 'test-destroy-database',
    register(env) {
      env.registerInit({
        deps: {
          database: coreServices.database,
          rootLifecycle: coreServices.rootLifecycle,
        },
        async init({ database, rootLifecycle }) {
          const knex = await database.getClient();
          rootLifecycle.addShutdownHook(() => knex.destroy());
        },
      });
    },
  });
}
