import request from 'supertest';
import {
  EntityPosture,
  findingScope,
  OverviewResponse,
  SEVERITIES,
} from '@mesh-security/plugin-mesh-security-common';
import {
  asUser,
  startDemoBackend,
  startDemoBackendWithTraffic,
  untilGraphsReady,
} from './__testUtils__/demoBackend';

/*
 * One summary everywhere: the overview counts, per component, the findings its entity view
 * (card and Security tab) lists, on the demo estate (catalog/demo-cluster), with and without
 * observed traffic (catalog/demo-traffic).
 */

type Server = Awaited<ReturnType<typeof startDemoBackend>>;

async function overviewOf(
  server: Server,
  query = '',
): Promise<OverviewResponse> {
  const res = await asUser(
    request(server).get(`/api/mesh-security/overview?limit=100${query}`),
  );
  expect(res.status).toBe(200);
  return res.body;
}

async function postureOf(server: Server, ref: string): Promise<EntityPosture> {
  const [kind, rest] = ref.split(':');
  const [namespace, name] = rest.split('/');
  const res = await asUser(
    request(server).get(
      `/api/mesh-security/entity/${kind}/${namespace}/${name}`,
    ),
  );
  expect(res.status).toBe(200);
  return res.body;
}

async function expectAgreement(server: Server) {
  // Agreement is a property of one complete generation: before its graph is complete a view
  // lists more findings, and the overview and the views are taken a moment apart.
  await untilGraphsReady(server);
  const overview = await overviewOf(server);
  expect(overview.items.length).toBeGreaterThan(5);
  for (const item of overview.items) {
    const posture = await postureOf(server, item.entityRef);
    const counted = Object.fromEntries(SEVERITIES.map(s => [s, 0]));
    for (const f of posture.findings) counted[f.severity]++;
    expect({ ref: item.entityRef, counts: item.findingCounts }).toEqual({
      ref: item.entityRef,
      counts: posture.findingCounts,
    });
    expect(posture.findingCounts).toEqual(counted);
  }
  return overview;
}

describe('finding counts on the demo estate', () => {
  it('agree between the overview and every entity view', async () => {
    const server = await startDemoBackend();
    const overview = await expectAgreement(server);
    // fraud-check's blocked caller (MS103, critical) is counted on the overview too.
    const fraud = overview.items.find(i => i.name === 'fraud-check')!;
    expect(fraud.findingCounts.critical).toBeGreaterThan(0);
    // docs-portal carries no Kubernetes annotation: not listed, counted as not covered.
    expect(overview.items.map(i => i.name)).not.toContain('docs-portal');
    expect(overview.uncoveredComponents).toBe(1);
  });

  it('agree with observed traffic (MS5xx) as well', async () => {
    const server = await startDemoBackendWithTraffic();
    await expectAgreement(server);
    // checkout is PERMISSIVE and its plaintext caller was refused every time: refused traffic,
    // none accepted, so ready for STRICT (catalog/demo-traffic/README.md).
    const checkout = await postureOf(server, 'component:default/checkout');
    const codes = checkout.findings.map(f => f.code);
    expect(codes).toEqual(expect.arrayContaining(['MS503', 'MS505']));
    expect(codes).not.toContain('MS502');
  });

  it('gives a namespace its own findings and a trust root only its mesh', async () => {
    const server = await startDemoBackend();
    const overview = await overviewOf(server);
    const misplaced: string[] = [];
    for (const item of overview.items) {
      const posture = await postureOf(server, item.entityRef);
      const namespaces = new Set(posture.workloads.map(w => w.namespace));
      for (const f of posture.findings) {
        const where = `${item.name}: ${f.code} ${f.object.namespace}/${f.object.name}`;
        // A Linkerd trust root reaches Linkerd components only.
        if (
          ['MS420', 'MS421', 'MS422'].includes(f.code) &&
          f.object.namespace === 'linkerd' &&
          !posture.meshes.includes('linkerd')
        )
          misplaced.push(where);
        // A namespace without default-deny reaches the components running there.
        if (
          f.code === 'MS302' &&
          (!namespaces.has(f.object.name) || findingScope(f) !== 'namespace')
        )
          misplaced.push(where);
      }
    }
    expect(misplaced).toEqual([]);
  });

  it('sorts by worst severity: one critical outranks any number of high', async () => {
    const server = await startDemoBackend();
    const { items } = await overviewOf(server, '&sort=findings&order=desc');
    const rank = (i: (typeof items)[number]) =>
      SEVERITIES.map(s => i.findingCounts[s]);
    const worstFirst = [...items].sort((a, b) => {
      const [ra, rb] = [rank(a), rank(b)];
      const k = ra.findIndex((n, j) => n !== rb[j]);
      return k < 0 ? a.entityRef.localeCompare(b.entityRef) : rb[k] - ra[k];
    });
    expect(items.map(i => i.name)).toEqual(worstFirst.map(i => i.name));
    expect(items[0].findingCounts.critical).toBeGreaterThan(0);
  });
});
