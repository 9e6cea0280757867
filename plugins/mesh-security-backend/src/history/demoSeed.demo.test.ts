/*
 * The demo's history seed (catalog/demo-history/events.yaml, `meshSecurity.history.demoSeed`
 * in app-config.yaml): on the demo backend as the app runs it (recorded traffic included), the
 * history shows from the first start, labelled demo data, and the first real record continues
 * it without a jump.
 */
import path from 'node:path';
import request from 'supertest';
import {
  asUser,
  startDemoBackendWithTraffic,
  testScheduler,
} from '../__testUtils__/demoBackend';

const repoRoot = path.resolve(__dirname, '../../../..');
const demoSeed = path.join(repoRoot, 'catalog/demo-history/events.yaml');
const today = new Date().toISOString().slice(0, 10);

async function seededDemo(record: boolean) {
  const scheduler = testScheduler();
  const server = await startDemoBackendWithTraffic({
    scheduler,
    historyConfig: { demoSeed },
  });
  if (record) {
    for (let i = 0; i < 200; i++) {
      const health = await asUser(
        request(server).get('/api/mesh-security/health'),
      );
      if (health.body.clusters.every((c: any) => c.accessGraphReady)) break;
      await new Promise(r => setTimeout(r, 50));
    }
    await scheduler.triggerTask('mesh-security-history');
  }
  return server;
}

describe('demo history seed', () => {
  jest.setTimeout(60_000);

  it('shows 90 days of labelled demo data on the first start, before any record', async () => {
    const server = await seededDemo(false);
    const overview = await asUser(
      request(server).get('/api/mesh-security/history?days=90'),
    );
    expect(overview.status).toBe(200);
    expect(overview.body.demo).toBe(true);
    expect(overview.body.days).toHaveLength(89); // every day before today
    expect(overview.body.days[0].demoComponents).toBe(
      overview.body.days[0].components,
    );
    const share = (d: any) => d.strictPorts / d.totalPorts;
    // The rollout: STRICT ports went up, critical and high findings down.
    const [first, last] = [overview.body.days[0], overview.body.days[88]];
    expect(share(last)).toBeGreaterThan(share(first));
    expect(last.findingCounts.high).toBeLessThan(first.findingCounts.high);

    const payments = await asUser(
      request(server).get(
        '/api/mesh-security/entity/component/default/payments-api/history',
      ),
    );
    expect(payments.body.demo).toBe(true);
    expect(
      payments.body.changes.map((c: any) => [c.from, c.to, c.demo]),
    ).toEqual([
      [undefined, 'DISABLED', true],
      ['DISABLED', 'PERMISSIVE', true],
      ['PERMISSIVE', 'PARTIAL', true],
    ]);
    const csv = await asUser(
      request(server).get(
        '/api/mesh-security/entity/component/default/payments-api/history?format=csv',
      ),
    );
    expect(csv.text.trimEnd().split('\r\n').slice(1)).not.toHaveLength(0);
    expect(
      csv.text
        .trimEnd()
        .split('\r\n')
        .slice(1)
        .every(line => line.endsWith(',demo-seed')),
    ).toBe(true);
  });

  it('ends where the demo cluster is, so the first record adds no mode change', async () => {
    const server = await seededDemo(true);
    const { body } = await asUser(
      request(server).get('/api/mesh-security/overview?limit=100'),
    );
    expect(body.items.length).toBeGreaterThan(5);
    for (const item of body.items) {
      const ref = `component/default/${item.name}`;
      const history = (
        await asUser(
          request(server).get(`/api/mesh-security/entity/${ref}/history`),
        )
      ).body;
      const days = history.days;
      const [yesterday, recorded] = days.slice(-2);
      // Today is the record (not demo data); yesterday, the seed's last state, equals it.
      expect(recorded.day).toBe(today);
      expect(recorded.demo).toBeUndefined();
      expect(yesterday.demo).toBe(true);
      const { day: _d1, demo: _demo, ...seeded } = yesterday;
      const { day: _d2, ...evaluated } = recorded;
      expect({ [ref]: seeded }).toEqual({ [ref]: evaluated });
      expect(history.changes.every((c: any) => c.demo)).toBe(true);
    }
    // Each component is seeded under its catalog owner: per owner, yesterday and today sum the
    // same components.
    const owners = new Set<string>(body.items.map((i: any) => i.owner));
    for (const owner of owners) {
      const days = (
        await asUser(
          request(server).get(
            `/api/mesh-security/history?days=2&owner=${owner}`,
          ),
        )
      ).body.days;
      expect(days.map((d: any) => [owner, d.components])).toEqual([
        [owner, days[1].components],
        [owner, days[1].components],
      ]);
    }
  });
});
