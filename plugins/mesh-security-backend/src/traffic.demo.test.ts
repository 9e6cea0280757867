import request from 'supertest';
import {
  EntityPosture,
  OverviewResponse,
} from '@mesh-security/plugin-mesh-security-common';
import {
  asUser,
  startDemoBackend,
  startDemoBackendWithTraffic,
} from './__testUtils__/demoBackend';

/*
 * The plugin's own metrics reader, wired as the demo runs it: the recorded Prometheus answers of
 * catalog/demo-traffic, read by the scheduled task into the cache, reach the entity view.
 */

async function postureOf(
  server: Awaited<ReturnType<typeof startDemoBackend>>,
  name: string,
): Promise<EntityPosture> {
  const res = await asUser(
    request(server).get(`/api/mesh-security/entity/component/default/${name}`),
  );
  expect(res.status).toBe(200);
  return res.body;
}

/** The posture of a component once the recorded observations have been read. */
async function observedPostureOf(
  server: Awaited<ReturnType<typeof startDemoBackend>>,
  name: string,
): Promise<EntityPosture> {
  let posture = await postureOf(server, name);
  for (let i = 0; i < 100; i++) {
    if (posture.workloads[0]?.observed.observations.status === 'ok') break;
    await new Promise(r => setTimeout(r, 50));
    posture = await postureOf(server, name);
  }
  return posture;
}

describe('observed traffic from the configured recorded source', () => {
  it('reaches the entity view as recorded observations, with the demo story', async () => {
    const server = await startDemoBackendWithTraffic();
    const posture = await observedPostureOf(server, 'checkout');
    const observed = posture.workloads[0].observed;
    // Recorded at the demo's date of reference: its windows end then, not when it was read.
    expect(observed.observations).toMatchObject({
      status: 'ok',
      source: 'recorded',
      recordedAt: '2026-11-23T12:00:00.000Z',
    });
    // checkout is PERMISSIVE, and the policy refused its plaintext caller's every request (403):
    // refused traffic, none accepted, so ready for STRICT (catalog/demo-traffic/README.md).
    const codes = posture.findings.map(f => f.code);
    expect(codes).toEqual(expect.arrayContaining(['MS503', 'MS505']));
    expect(codes).not.toContain('MS502');
    expect(codes).not.toContain('MS506');
    // When traffic was last seen: the recording's last step, per port and per caller edge.
    expect(observed.workload?.ports[0].lastSeen).toBe(
      '2026-11-23T12:00:00.000Z',
    );
    expect(
      posture.workloads[0].callers.find(c => c.traffic?.status === 'used')
        ?.traffic?.lastSeen,
    ).toBe('2026-11-23T12:00:00.000Z');
  });

  it("reports ztunnel's refusals of plaintext as refused, not as plaintext on STRICT", async () => {
    const server = await startDemoBackendWithTraffic();
    const posture = await observedPostureOf(server, 'inventory');
    const codes = posture.findings.map(f => f.code);
    // legacy-billing's connections were opened, then closed for authorization (DENY).
    expect(codes).toContain('MS505');
    expect(codes).not.toContain('MS501');
    expect(codes).not.toContain('MS506');
    expect(posture.findings.find(f => f.code === 'MS505')?.message).toMatch(
      /^480 requests or connections .* refused .*legacy\/legacy-billing/,
    );
  });

  it('says not-configured for clusters no source covers', async () => {
    const server = await startDemoBackend();
    const posture = await postureOf(server, 'checkout');
    expect(posture.workloads[0].observed.observations.status).toBe(
      'not-configured',
    );
  });
});

describe('observed traffic on the overview', () => {
  async function overviewOf(
    server: Awaited<ReturnType<typeof startDemoBackend>>,
  ): Promise<OverviewResponse> {
    const res = await asUser(
      request(server).get('/api/mesh-security/overview?limit=100'),
    );
    expect(res.status).toBe(200);
    return res.body;
  }

  it('sums the evidence window per owner and lists the components ready for STRICT', async () => {
    const server = await startDemoBackendWithTraffic();
    const overview = await overviewOf(server);
    const { observedTraffic } = overview;
    expect(observedTraffic.observations).toEqual([
      expect.objectContaining({
        cluster: 'demo',
        status: 'ok',
        source: 'recorded',
        recordedAt: '2026-11-23T12:00:00.000Z',
      }),
    ]);
    // catalog/demo-traffic/README.md: plaintext is accepted by storefront-web only.
    expect(observedTraffic.total.plaintext).toBe(20160);
    expect(observedTraffic.total.mtls).toBeGreaterThan(0);
    expect(observedTraffic.total.mtlsShare).toBeCloseTo(
      observedTraffic.total.mtls /
        (observedTraffic.total.mtls + observedTraffic.total.plaintext),
    );
    const owners = observedTraffic.byOwner;
    expect(owners.reduce((sum, o) => sum + o.plaintext, 0)).toBe(
      observedTraffic.total.plaintext,
    );
    expect(owners.reduce((sum, o) => sum + o.components, 0)).toBe(
      overview.totalItems,
    );
    // etl-worker and checkout accepted only mTLS on their PERMISSIVE ports (checkout's plaintext
    // was refused); storefront-web accepted plaintext.
    const ready = observedTraffic.readyForStrict.map(r => r.name);
    expect(ready).toEqual(expect.arrayContaining(['etl-worker', 'checkout']));
    expect(ready).not.toContain('storefront-web');
    const etl = observedTraffic.readyForStrict.find(
      r => r.name === 'etl-worker',
    )!;
    expect(etl.workloads[0]).toMatchObject({ namespace: 'data' });
    expect(etl.mtls).toBe(2688);
    expect(observedTraffic.readyForStrictCount).toBe(ready.length);
  });

  it('says not-configured and lists nothing without a metrics source', async () => {
    const server = await startDemoBackend();
    const { observedTraffic } = await overviewOf(server);
    expect(observedTraffic.observations[0].status).toBe('not-configured');
    expect(observedTraffic.total).toMatchObject({
      mtls: 0,
      plaintext: 0,
      mtlsShare: null,
      observedComponents: 0,
    });
    expect(observedTraffic.readyForStrict).toEqual([]);
    expect(observedTraffic.readyForStrictCount).toBe(0);
  });
});
