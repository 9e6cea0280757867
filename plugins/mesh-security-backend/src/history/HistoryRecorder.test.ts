import { Entity } from '@backstage/catalog-model';
import { mockServices } from '@backstage/backend-test-utils';
import { EntityPosture } from '@mesh-security/plugin-mesh-security-common';
import knexFactory, { Knex } from 'knex';
import { HistoryRecorder } from './HistoryRecorder';
import { HistoryStore } from './HistoryStore';

const entity = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: { type: 'service', owner: 'payments-team', lifecycle: 'production' },
});

/** A complete answer (every cluster's graph built) with one STRICT port. */
const complete = {
  mtls: 'STRICT',
  partial: false,
  clusters: [{ name: 'demo', accessGraphReady: true }],
  workloads: [{ ports: [{ port: 8080, protocol: 'TCP', mtls: 'STRICT' }] }],
  findingCounts: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
  scorecard: {
    verifyExplicitly: { status: 'pass' },
    leastPrivilege: { status: 'pass' },
    assumeBreach: { status: 'pass' },
    noCredentialLeakage: { status: 'pass' },
  },
} as unknown as EntityPosture;

describe('HistoryRecorder', () => {
  let db: Knex;
  afterEach(async () => {
    await db?.destroy();
  });

  it('records every component, yielding to the event loop while it reads their postures', async () => {
    db = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
    });
    const store = await HistoryStore.create(db);
    // Postures are answered from memory, synchronously: a loop of awaits that never leaves the
    // microtask queue would hold page views for as long as the whole run.
    let turned = false;
    const seen: boolean[] = [];
    setImmediate(() => {
      turned = true;
    });
    const result = await new HistoryRecorder({
      store,
      components: async () =>
        Array.from({ length: 8 }, (_, i) => entity(`svc-${i}`)),
      posture: async () => {
        seen.push(turned);
        const until = Date.now() + 8;
        while (Date.now() < until); // about 8 ms of work each
        return complete;
      },
      logger: mockServices.logger.mock(),
      retentionDays: 30,
    }).run();
    expect(result).toMatchObject({ recorded: 8, skipped: 0 });
    expect(seen[0]).toBe(false);
    expect(seen[seen.length - 1]).toBe(true);
  });
});
