/*
 * docs/backend.md "Posture history": the recorder writes what the Security tab shows, into the
 * plugin's database (the test backend's SQLite), and the routes serve it only to those who may
 * read the entity (per entity) or the platform view (catalog-wide, over readable entities only).
 */
import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  ENTITY_HISTORY_CSV_COLUMNS,
  OVERVIEW_HISTORY_CSV_COLUMNS,
} from '@mesh-security/plugin-mesh-security-common';
import {
  asUser,
  startDemoBackend,
  testScheduler,
  untilGraphsReady,
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
  await untilGraphsReady(server);
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

  describe('as CSV', () => {
    const csvRows = (text: string) =>
      text
        .trimEnd()
        .split('\r\n')
        .map(line => line.split(','));

    it('serves the catalog-wide history as a CSV file, one row per day', async () => {
      const server = await recordedDemo();
      const json = await asUser(
        request(server).get('/api/mesh-security/history?days=30'),
      );
      const res = await asUser(
        request(server).get('/api/mesh-security/history?days=30&format=csv'),
      );
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="mesh-security-history-${today}.csv"`,
      );
      expect(res.headers['cache-control']).toBe('no-store');
      const [header, ...rows] = csvRows(res.text);
      expect(header).toEqual([...OVERVIEW_HISTORY_CSV_COLUMNS]);
      expect(rows).toHaveLength(json.body.days.length);
      const d = json.body.days[0];
      expect(rows[0]).toEqual([
        today,
        String(d.components),
        String(d.strictComponents),
        String(d.strictPorts),
        String(d.totalPorts),
        (d.strictPorts / d.totalPorts).toFixed(4),
        String(d.findingCounts.critical),
        String(d.findingCounts.high),
        String(d.findingCounts.medium),
        String(d.findingCounts.low),
        String(d.findingCounts.info),
        '0',
      ]);

      const owner = await asUser(
        request(server).get(
          '/api/mesh-security/history?owner=payments-team&format=csv',
        ),
      );
      expect(owner.headers['content-disposition']).toBe(
        `attachment; filename="mesh-security-history-payments-team-${today}.csv"`,
      );
      expect(Number(csvRows(owner.text)[1][1])).toBeLessThan(d.components);
    });

    it('leaves out the components the caller may not read', async () => {
      const all = await asUser(
        request(await recordedDemo()).get(
          '/api/mesh-security/history?format=csv',
        ),
      );
      const hidden = await asUser(
        request(
          await recordedDemo({
            deny: [
              {
                permission: 'mesh-security.entity.read',
                resourceRef: PAYMENTS,
              },
            ],
          }),
        ).get('/api/mesh-security/history?format=csv'),
      );
      expect(Number(csvRows(hidden.text)[1][1])).toBe(
        Number(csvRows(all.text)[1][1]) - 1,
      );
    });

    it('requires credentials and the platform view, and bounds the range', async () => {
      const server = await recordedDemo({
        deny: ['mesh-security.overview.read'],
      });
      const anonymous = await request(server)
        .get('/api/mesh-security/history?format=csv')
        .set('authorization', mockCredentials.none.header());
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['content-type']).not.toMatch(/csv/);
      const denied = await asUser(
        request(server).get('/api/mesh-security/history?format=csv'),
      );
      expect(denied.status).toBe(403);
      expect(denied.headers['content-type']).not.toMatch(/csv/);
      for (const query of ['days=401&format=csv', 'format=xlsx']) {
        const bad = await asUser(
          request(server).get(`/api/mesh-security/history?${query}`),
        );
        expect(bad.status).toBe(400);
      }
    });

    it("serves a component's history as CSV with the entity's permissions", async () => {
      const server = await recordedDemo({
        deny: [
          {
            permission: 'mesh-security.entity.read',
            resourceRef: 'component:default/checkout',
          },
        ],
      });
      const res = await asUser(
        request(server).get(
          '/api/mesh-security/entity/component/default/payments-api/history?format=csv',
        ),
      );
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toBe(
        'attachment; filename="mesh-security-history-component-default-payments-api.csv"',
      );
      const [header, row, ...more] = csvRows(res.text);
      expect(header).toEqual([...ENTITY_HISTORY_CSV_COLUMNS]);
      expect(more).toEqual([]);
      expect(row.slice(0, 2)).toEqual([today, PAYMENTS]);
      expect(row[row.length - 1]).toBe('recorded');
      expect(
        (
          await request(server)
            .get(
              '/api/mesh-security/entity/component/default/payments-api/history?format=csv',
            )
            .set('authorization', mockCredentials.none.header())
        ).status,
      ).toBe(401);
      expect(
        (
          await asUser(
            request(server).get(
              '/api/mesh-security/entity/component/default/checkout/history?format=csv',
            ),
          )
        ).status,
      ).toBe(403);
    });
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

  it('refuses a demo seed file that cannot be read at startup, naming the key', async () => {
    await expect(
      startDemoBackend({
        historyConfig: { demoSeed: '/nonexistent/mesh-security/events.yaml' },
      }),
    ).rejects.toThrow(
      /meshSecurity\.history\.demoSeed \(\/nonexistent\/mesh-security\/events\.yaml\) cannot be read/,
    );
  });

  it('refuses an invalid retention at startup, naming the key', async () => {
    await expect(
      startDemoBackend({ historyConfig: { retentionDays: 0 } }),
    ).rejects.toThrow(
      /meshSecurity\.history\.retentionDays must be a whole number/,
    );
  });
});
