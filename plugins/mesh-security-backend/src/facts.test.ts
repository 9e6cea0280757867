/*
 * docs/backend.md "Tech Insights facts": `GET /facts` serves each readable component's posture
 * as flat facts, computed from its summary: the same facts as from the view the Security tab
 * shows.
 */
import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import { componentSecurityFacts } from '@mesh-security/plugin-mesh-security-common';
import {
  asUser,
  startDemoBackend,
  startDemoBackendWithTraffic,
  untilGraphsReady,
} from './__testUtils__/demoBackend';

async function readyDemo(
  options: Parameters<typeof startDemoBackend>[0] = {},
  start = startDemoBackend,
) {
  const server = await start(options);
  // Until the access graphs are complete, answers are provisional.
  await untilGraphsReady(server);
  return server;
}

async function allFacts(server: any) {
  const res = await asUser(request(server).get('/api/mesh-security/facts'));
  expect(res.status).toBe(200);
  return new Map<string, any>(
    res.body.items.map((i: any) => [i.entityRef, i.facts]),
  );
}

describe('GET /facts', () => {
  jest.setTimeout(60_000);

  it("gives each component's facts as its Security tab shows them", async () => {
    const server = await readyDemo();
    const res = await asUser(request(server).get('/api/mesh-security/facts'));
    expect(res.status).toBe(200);
    expect(res.body.version).toBe('1.0.0');
    const refs = res.body.items.map((i: any) => i.entityRef);
    expect(refs).toEqual([...refs].sort());
    expect(res.body.totalItems).toBe(refs.length);
    expect(refs.length).toBeGreaterThan(5);
    // Tech Insights calls with its own service credentials: the same answer.
    const service = await request(server)
      .get('/api/mesh-security/facts')
      .set('authorization', mockCredentials.service.header());
    expect(service.status).toBe(200);
    expect(service.body.items).toEqual(res.body.items);

    for (const name of ['payments-api', 'fraud-check', 'storefront-web']) {
      const facts = res.body.items.find(
        (i: any) => i.entityRef === `component:default/${name}`,
      ).facts;
      const view = (
        await asUser(
          request(server).get(
            `/api/mesh-security/entity/component/default/${name}`,
          ),
        )
      ).body;
      // Taken from the summary, the facts are those of the full answer.
      expect(facts).toEqual(componentSecurityFacts(view));
      const ports = view.workloads.flatMap((w: any) =>
        w.ports.map((p: any) => ({ ...p, workload: w })),
      );
      expect(facts).toMatchObject({
        mtlsMode: view.mtls,
        meshes: view.meshes,
        findingCounts: view.findingCounts,
        highOrCriticalFindings:
          view.findingCounts.critical + view.findingCounts.high,
        totalPorts: ports.length,
        strictPorts: ports.filter((p: any) => p.mtls === 'STRICT').length,
        pillarVerifyExplicitly: view.scorecard.verifyExplicitly.status,
        pillarLeastPrivilege: view.scorecard.leastPrivilege.status,
        pillarAssumeBreach: view.scorecard.assumeBreach.status,
        pillarNoCredentialLeakage: view.scorecard.noCredentialLeakage.status,
        partial: false,
      });
      for (const p of ports) {
        expect(
          facts.portModes[
            `${p.workload.cluster}/${p.workload.namespace}/${p.workload.name}:${p.port}`
          ],
        ).toBe(p.mtls);
      }
      const families = Object.values(facts.findingFamilies) as number[];
      expect(families.reduce((a, b) => a + b, 0)).toBe(view.findings.length);
      expect(facts.allowAllRules).toBe(
        view.findings.filter((f: any) => f.code === 'MS201').length,
      );
    }
  });

  it('says STRICT on every port only where every port is STRICT', async () => {
    const facts = await allFacts(await readyDemo());
    for (const f of facts.values()) {
      const modes = Object.values(f.portModes);
      expect(f.allPortsStrict).toBe(
        modes.length > 0 && modes.every(m => m === 'STRICT'),
      );
      expect(f.strictPortShare).toEqual(
        modes.length > 0 ? f.strictPorts / f.totalPorts : undefined,
      );
    }
    // The demo has both kinds, so the check can fail and pass.
    const strict = [...facts.values()].map(f => f.allPortsStrict);
    expect(strict).toContain(true);
    expect(strict).toContain(false);
  });

  it('reports the observed mTLS share once traffic is observed, and no share before', async () => {
    const without = await allFacts(await readyDemo());
    expect(
      [...without.values()].every(f => f.observedMtlsShare === undefined),
    ).toBe(true);
    const observed = await allFacts(
      await readyDemo({}, startDemoBackendWithTraffic),
    );
    const shares = [...observed.values()]
      .map(f => f.observedMtlsShare)
      .filter(s => s !== undefined);
    expect(shares.length).toBeGreaterThan(0);
    for (const share of shares) {
      expect(share).toBeGreaterThanOrEqual(0);
      expect(share).toBeLessThanOrEqual(1);
    }
  });

  it('pages, and bounds the page size', async () => {
    const server = await readyDemo();
    const first = await asUser(
      request(server).get('/api/mesh-security/facts?limit=2'),
    );
    const second = await asUser(
      request(server).get('/api/mesh-security/facts?limit=2&offset=2'),
    );
    expect(first.body.items).toHaveLength(2);
    expect(second.body.offset).toBe(2);
    expect(second.body.items[0].entityRef > first.body.items[1].entityRef).toBe(
      true,
    );
    for (const query of ['limit=0', 'limit=501', 'offset=-1', 'x=1']) {
      const bad = await asUser(
        request(server).get(`/api/mesh-security/facts?${query}`),
      );
      expect(bad.status).toBe(400);
    }
  });

  it('leaves out components the caller may not read, and needs the platform view', async () => {
    const hidden = await allFacts(
      await readyDemo({
        deny: [
          {
            permission: 'mesh-security.entity.read',
            resourceRef: 'component:default/payments-api',
          },
        ],
      }),
    );
    expect(hidden.has('component:default/payments-api')).toBe(false);
    expect(hidden.has('component:default/fraud-check')).toBe(true);

    const server = await readyDemo({ deny: ['mesh-security.overview.read'] });
    expect(
      (await asUser(request(server).get('/api/mesh-security/facts'))).status,
    ).toBe(403);
    const anonymous = await request(server)
      .get('/api/mesh-security/facts')
      .set('authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
  });
});
