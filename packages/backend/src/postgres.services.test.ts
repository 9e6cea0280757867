/*
 * The backend on a real PostgreSQL (run by .ci/test-services.sh, which starts a throwaway server
 * from Debian's packages and sets MESH_SECURITY_TEST_POSTGRES). Not part of the unit run: the
 * root package.json's jest testPathIgnorePatterns leave out every *.services.test.ts.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import path from 'node:path';
import request from 'supertest';
import { Client } from 'pg';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import meshSecurityPlugin from '@mesh-security/plugin-mesh-security-backend';

const connectionString = process.env.MESH_SECURITY_TEST_POSTGRES;
if (!connectionString) {
  throw new Error(
    'MESH_SECURITY_TEST_POSTGRES is not set: run this suite with `npm run test:services`, which starts PostgreSQL and sets it',
  );
}

/**
 * The plugins' Knex clients, kept so that the test can destroy them after `backend.stop()`.
 * `@backstage/backend-defaults`' DatabaseManager (0.18) means to destroy them in its shutdown
 * hook, but first calls `connection.client.config.includes('sqlite3')` on Knex's config object,
 * which has no `includes`: its `Promise.allSettled` swallows the TypeError, every pool stays
 * open (a dozen connections and their reapers' timers), and Jest had to force this suite's
 * worker to exit. A module of each plugin asks its database service for the same client (the
 * backend plugin's test backends do the same with its `destroyDatabaseOnStop` test module).
 */
const knexClients: Array<{ destroy(): Promise<void> }> = [];
const keepKnexClientOf = (pluginId: string) =>
  createBackendModule({
    pluginId,
    moduleId: 'test-knex-client',
    register(env) {
      env.registerInit({
        deps: { database: coreServices.database },
        async init({ database }) {
          knexClients.push(await database.getClient());
        },
      });
    },
  });

describe('backend on PostgreSQL', () => {
  jest.setTimeout(120_000);

  it('stores the catalog in PostgreSQL and serves it', async () => {
    const url = new URL(connectionString);
    const catalogFile = path.resolve(__dirname, '../../../catalog/all.yaml');
    const backend = await startTestBackend({
      features: [
        databaseServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            backend: {
              baseUrl: 'http://localhost:7007',
              database: {
                client: 'pg',
                connection: {
                  host: url.hostname,
                  port: Number(url.port),
                  user: decodeURIComponent(url.username),
                  password: decodeURIComponent(url.password),
                },
              },
            },
            catalog: {
              rules: [
                {
                  allow: [
                    'Component',
                    'System',
                    'API',
                    'Group',
                    'User',
                    'Location',
                    'Domain',
                    'Resource',
                    'Template',
                  ],
                },
              ],
              locations: [{ type: 'file', target: catalogFile }],
              processingInterval: { seconds: 1 },
            },
          },
        }),
        catalogPlugin,
        meshSecurityPlugin,
        keepKnexClientOf('catalog'),
        keepKnexClientOf('mesh-security'),
      ],
    });

    try {
      // The catalog processes the example entities into PostgreSQL one by one; poll until
      // more than a few appear (a busy machine shows the first ones seconds before the rest).
      let names: string[] = [];
      for (let attempt = 0; attempt < 90 && names.length <= 3; attempt++) {
        const res = await request(backend.server)
          .get('/api/catalog/entities/by-query?filter=kind=component')
          .set('authorization', mockCredentials.user.header());
        expect(res.status).toBe(200);
        names = res.body.items.map((e: any) => e.metadata.name);
        if (names.length <= 3) await new Promise(r => setTimeout(r, 1000));
      }
      expect(names.length).toBeGreaterThan(3);

      const health = await request(backend.server)
        .get('/api/mesh-security/health')
        .set('authorization', mockCredentials.user.header());
      expect(health.status).toBe(200);

      // The rows really live in PostgreSQL: the catalog's database holds the entities.
      const client = new Client({
        connectionString: `${connectionString}/backstage_plugin_catalog`,
      });
      await client.connect();
      try {
        const { rows } = await client.query(
          'select count(*)::int as n from final_entities where final_entity is not null',
        );
        expect(rows[0].n).toBeGreaterThanOrEqual(names.length);
      } finally {
        await client.end();
      }
    } finally {
      await backend.stop();
      await Promise.all(knexClients.map(knex => knex.destroy()));
    }
  });
});
