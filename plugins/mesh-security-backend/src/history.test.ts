/*
 * docs/backend.md "Posture history": the recorder writes what the Security tab shows, into the
 * plugin's database (the test backend's SQLite), and the routes serve it only to those who may
 * read the entity (per entity) or the platform view (catalog-wide, over readable entities only).
 */
import request from 'supertest';
import {
  asUser,
  startDemoBackend,
  testScheduler,
} from './__testUtils__/demoBackend';

const PAYMENTS = 'component:default/payments-api';
const today = new Date().toISOString().slice(0, 10);

async function recordedDemo(
  options: Parameters<typeof startDemoBackend>[0] = {},
) {
  const scheduler = testScheduler();
  const server = await startDemoBackend({ ...options, scheduler });
  // The clusters were read on startup; the history task has an initial delay. Once the access
  // graphs are complete (answers before are provisional and not recorded), run it.
  for (let i = 0; i < 200; i++) {
    const health = await asUser(
      request(server).get('/api/mesh-security/health'),
    );
    if (health.body.clusters.every((c: any) => c.accessGraphReady)) break;
    await new Promise(r => setTimeout(r, 50));
  }
  await scheduler.triggerTask('mesh-security-history');
  return server;
}

describe('posture history', () => {
  jest.setTimeout(60_000);

  it("records each component's day as its Security tab shows it, and its first mode", async () => {
    const server = await recordedDemo();
    const posture = await asUser(
      request(server).get(
        '/api/mesh-security/entity/component/default/payments-api',
      ),
    );
    const history = await asUser(
      request(server).get(
        '/api/mesh-security/entity/component/default/payments-api/history',
      ),
    );
    expect(history.status).toBe(200);
    const ports = posture.body.workloads.flatMap((w: any) => w.ports);
    expect(history.body).toMatchObject({
      entityRef: PAYMENTS,
      enabled: true,
      retentionDays: 400,
      days: [
        {
          day: today,
          mtls: posture.body.mtls,
          strictPorts: ports.filter((p: any) => p.mtls === 'STRICT').length,
          totalPorts: ports.length,
          findingCounts: posture.body.findingCounts,
          pillars: {
            verifyExplicitly: posture.body.scorecard.verifyExplicitly.status,
            leastPrivilege: posture.body.scorecard.leastPrivilege.status,
            assumeBreach: posture.body.scorecard.assumeBreach.status,
            noCredentialLeakage:
              posture.body.scorecard.noCredentialLeakage.status,
          },
        },
      ],
      changes: [{ to: posture.body.mtls }],
    });
    expect(history.body.changes[0].from).toBeUndefined();
    expect(ports.length).toBeGreaterThan(0);
  });

  it('records nothing while a cluster cannot be read, and keeps trying until stopped', async () => {
    const scheduler = testScheduler();
    const server = await startDemoBackend({
      scheduler,
      clusters: [
        { name: 'gone', type: 'manifests', path: '/nonexistent/mesh-security' },
      ],
    });
    const run = scheduler.triggerTask('mesh-security-history');
    await new Promise(r => setTimeout(r, 500));
    const history = await asUser(
      request(server).get(
        '/api/mesh-security/entity/component/default/payments-api/history',
      ),
    );
    expect(history.body).toMatchObject({
      enabled: true,
      days: [],
      changes: [],
    });
    // The task waits to try again; stopping it ends the wait at once.
    await scheduler.cancelTask('mesh-security-history');
    await run;
  });

  it('sums the catalog per day over the components the caller may read', async () => {
    const everything = await asUser(
      request(await recordedDemo()).get('/api/mesh-security/history'),
    );
    expect(everything.status).toBe(200);
    expect(everything.body.days).toHaveLength(1);
    const all = everything.body.days[0];
    expect(all.day).toBe(today);
    expect(all.components).toBeGreaterThan(5);

    const server = await recordedDemo({
      deny: [
        { permission: 'mesh-security.entity.read', resourceRef: PAYMENTS },
      ],
    });
    const payments = await asUser(
      request(await recordedDemo()).get(
        '/api/mesh-security/entity/component/default/payments-api/history',
      ),
    );
    const hidden = await asUser(
      request(server).get('/api/mesh-security/history'),
    );
    const [day] = hidden.body.days;
    const p = payments.body.days[0];
    expect(day.components).toBe(all.components - 1);
    expect(day.strictPorts).toBe(all.strictPorts - p.strictPorts);
    expect(day.totalPorts).toBe(all.totalPorts - p.totalPorts);
    expect(day.findingCounts.high).toBe(
      all.findingCounts.high - p.findingCounts.high,
    );
    // …and its own history is not found for that caller.
    const own = await asUser(
      request(server).get(
        '/api/mesh-security/entity/component/default/payments-api/history',
      ),
    );
    expect(own.status).toBe(403);
  });

  it('filters by owner and bounds the days asked for', async () => {
    const server = await recordedDemo();
    const owner = await asUser(
      request(server).get(
        '/api/mesh-security/history?owner=group:default/team-payments&days=7',
      ),
    );
    expect(owner.status).toBe(200);
    expect(owner.body.owner).toBe('group:default/team-payments');
    const bad = await asUser(
      request(server).get('/api/mesh-security/history?days=5000'),
    );
    expect(bad.status).toBe(400);
    const unknown = await asUser(
      request(server).get('/api/mesh-security/history?sort=x'),
    );
    expect(unknown.status).toBe(400);
  });

  it('requires the platform view for the catalog-wide history', async () => {
    const server = await recordedDemo({
      deny: ['mesh-security.overview.read'],
    });
    expect(
      (await asUser(request(server).get('/api/mesh-security/history'))).status,
    ).toBe(403);
  });

  it('answers "disabled" when history is turned off, without touching the database', async () => {
    const server = await recordedDemo({
      historyConfig: { enabled: false },
    }).catch(e => e);
    // The task is not scheduled at all: triggering it fails.
    expect(server).toBeInstanceOf(Error);
    const plain = await startDemoBackend({ historyConfig: { enabled: false } });
    const res = await asUser(
      request(plain).get(
        '/api/mesh-security/entity/component/default/payments-api/history',
      ),
    );
    expect(res.body).toMatchObject({ enabled: false, days: [], changes: [] });
  });

  it('refuses an invalid retention at startup, naming the key', async () => {
    await expect(
      startDemoBackend({ historyConfig: { retentionDays: 0 } }),
    ).rejects.toThrow(
      /meshSecurity\.history\.retentionDays must be a whole number/,
    );
  });
});
