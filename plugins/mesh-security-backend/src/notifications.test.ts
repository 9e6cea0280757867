/*
 * docs/backend.md "Notifications on regressions", through the plugin: the scheduled notifier
 * over a copy of the demo cluster (in the OS temporary directory), evaluated by the engine, with
 * the notification service (the notifications backend's boundary) as a mock.
 */
import {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import {
  asUser,
  startDemoBackend,
  testScheduler,
  TestScheduler,
} from './__testUtils__/demoBackend';

const demoCluster = path.resolve(__dirname, '../../../catalog/demo-cluster');
const INVENTORY = '/api/mesh-security/entity/component/default/inventory';
const STRICT = /^(\s+mode:) STRICT$/m;

/** Waits until inventory's complete answer (access graph built) has mode `mode`. */
async function inventoryIs(server: any, mode: string) {
  for (let i = 0; i < 400; i++) {
    const res = await asUser(request(server).get(INVENTORY));
    if (
      res.status === 200 &&
      !res.body.partial &&
      res.body.clusters.every((c: any) => c.accessGraphReady) &&
      res.body.mtls === mode
    ) {
      return;
    }
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error(`inventory never became ${mode}`);
}

describe('regression notifications', () => {
  jest.setTimeout(60_000);
  let dir: string;
  let scheduler: TestScheduler;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-notify-'));
    fs.cpSync(demoCluster, dir, { recursive: true });
    scheduler = testScheduler();
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts without the notifications backend, and does not check then', async () => {
    await startDemoBackend({ scheduler });
    const tasks = await scheduler.getScheduledTasks();
    expect(tasks.map(t => t.id)).toContain('mesh-security-history');
    expect(tasks.map(t => t.id)).not.toContain('mesh-security-notifications');
  });

  it('notifies storefront-team once when inventory leaves STRICT, and resolves it', async () => {
    const sent: NotificationSendOptions[] = [];
    const notifications: NotificationService = {
      send: async options => {
        sent.push(options);
      },
    };
    const server = await startDemoBackend({
      scheduler,
      notifications,
      notificationsConfig: { enabled: true },
      demoClusterPath: dir,
    });
    await inventoryIs(server, 'STRICT');
    // The first check is every component's baseline: nothing is sent for what exists already
    // (the demo has PERMISSIVE ports and high findings).
    await scheduler.triggerTask('mesh-security-notifications');
    await scheduler.triggerTask('mesh-security-notifications');
    expect(sent).toEqual([]);

    const file = path.join(dir, 'inventory.yaml');
    const original = fs.readFileSync(file, 'utf8');
    expect(original).toMatch(STRICT);
    fs.writeFileSync(file, original.replace(STRICT, '$1 PERMISSIVE'));
    await scheduler.triggerTask('mesh-security-refresh-demo');
    await inventoryIs(server, 'PERMISSIVE');
    await scheduler.triggerTask('mesh-security-notifications');
    await scheduler.triggerTask('mesh-security-notifications');
    expect(sent).toEqual([
      {
        recipients: {
          type: 'entity',
          entityRef: 'group:default/storefront-team',
        },
        payload: expect.objectContaining({
          title:
            'inventory: port 8080 (http) of inventory/inventory left STRICT',
          link: '/catalog/default/component/inventory/mesh-security',
          severity: 'high',
          topic: 'Mesh Security',
          scope: expect.stringMatching(/^mesh-security:[0-9a-f]{64}$/),
        }),
      },
    ]);

    fs.writeFileSync(file, original);
    await scheduler.triggerTask('mesh-security-refresh-demo');
    await inventoryIs(server, 'STRICT');
    await scheduler.triggerTask('mesh-security-notifications');
    expect(sent).toHaveLength(2);
    expect(sent[1].payload).toMatchObject({
      title:
        'Resolved: inventory: port 8080 (http) of inventory/inventory left STRICT',
      scope: sent[0].payload.scope,
    });
  });
});
