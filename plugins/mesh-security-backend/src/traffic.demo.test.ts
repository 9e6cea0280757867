import path from 'node:path';
import request from 'supertest';
import { EntityPosture } from '@mesh-security/plugin-mesh-security-common';
import { asUser, startDemoBackend } from './__testUtils__/demoBackend';

/*
 * The plugin's own metrics reader, wired as the demo runs it: the recorded Prometheus answers of
 * catalog/demo-traffic, read by the scheduled task into the cache, reach the entity view.
 */

const recordedTraffic = path.resolve(
  __dirname,
  '../../../catalog/demo-traffic/recorded-traffic.json',
);

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

describe('observed traffic from the configured recorded source', () => {
  it('reaches the entity view as recorded observations, with the demo story', async () => {
    const server = await startDemoBackend({
      trafficConfig: {
        sources: [
          {
            type: 'recorded',
            path: recordedTraffic,
            clusters: [{ name: 'demo' }],
          },
        ],
      },
    });
    let posture = await postureOf(server, 'checkout');
    for (let i = 0; i < 100; i++) {
      if (posture.workloads[0]?.observed.observations.status === 'ok') break;
      await new Promise(r => setTimeout(r, 50));
      posture = await postureOf(server, 'checkout');
    }
    const observed = posture.workloads[0].observed;
    expect(observed.observations).toMatchObject({
      status: 'ok',
      source: 'recorded',
    });
    // checkout is PERMISSIVE with one plaintext caller (catalog/demo-traffic/README.md).
    expect(posture.findings.map(f => f.code)).toContain('MS502');
  });

  it('says not-configured for clusters no source covers', async () => {
    const server = await startDemoBackend();
    const posture = await postureOf(server, 'checkout');
    expect(posture.workloads[0].observed.observations.status).toBe(
      'not-configured',
    );
  });
});
