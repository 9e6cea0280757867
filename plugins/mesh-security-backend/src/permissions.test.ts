/*
 * docs/backend.md "Permissions": nobody sees the posture of an entity they may not read, through
 * any route. The plugin runs in a test backend over the demo cluster, with a permission policy
 * that denies per permission and per entity ref.
 */
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { asUser, startDemoBackend } from './__testUtils__/demoBackend';
import { AuthorizeCall } from './__testUtils__/permissions';

const PAYMENTS = 'component:default/payments-api';

describe('GET /overview', () => {
  jest.setTimeout(30_000);

  it('leaves out the components whose mesh-security.entity.read is denied, from the items and every count', async () => {
    const everything = await asUser(
      request(await startDemoBackend()).get(
        '/api/mesh-security/overview?limit=100',
      ),
    );
    const hidden = everything.body.items.find(
      (i: any) => i.entityRef === PAYMENTS,
    );
    expect(hidden).toBeDefined();

    const calls: AuthorizeCall[] = [];
    const server = await startDemoBackend({
      deny: [
        { permission: 'mesh-security.entity.read', resourceRef: PAYMENTS },
      ],
      calls,
    });
    const all = await asUser(
      request(server).get('/api/mesh-security/overview?limit=100'),
    );
    expect(all.status).toBe(200);
    expect(all.body.items).toEqual(
      everything.body.items.filter((i: any) => i !== hidden),
    );
    expect(all.body.totalItems).toBe(everything.body.totalItems - 1);
    const byMode = { ...everything.body.distribution.byMode };
    byMode[hidden.mtls]--;
    expect(all.body.distribution.byMode).toEqual(byMode);
    const owner = (body: any) =>
      body.distribution.byOwner.find((o: any) => o.owner === hidden.owner)
        ?.byMode[hidden.mtls] ?? 0;
    expect(owner(all.body)).toBe(owner(everything.body) - 1);

    // Searching for it finds nothing either.
    const searched = await asUser(
      request(server).get('/api/mesh-security/overview?search=payments-api'),
    );
    expect(searched.body).toMatchObject({ items: [], totalItems: 0 });

    // One call decided every listed entity, with the caller's credentials.
    const batch = calls.filter(c =>
      c.requests.some(r => r.permission.name === 'mesh-security.entity.read'),
    );
    expect(batch).toHaveLength(2);
    expect(batch[0].credentials.principal).toMatchObject({ type: 'user' });
    expect(batch[0].requests).toHaveLength(10);
    expect(
      batch[0].requests.every(
        r => r.permission.name === 'mesh-security.entity.read',
      ),
    ).toBe(true);
    expect(batch[0].requests.map(r => (r as any).resourceRef)).toContain(
      PAYMENTS,
    );
  });
});

describe('GET /overview of a large catalog', () => {
  jest.setTimeout(60_000);

  it('asks about every entity in calls the permission backend accepts (100 kB each)', async () => {
    const entities = Array.from({ length: 1500 }, (_, i) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: `service-number-${i}`,
        namespace: 'default',
        annotations: { 'backstage.io/kubernetes-id': `service-number-${i}` },
      },
      spec: { owner: 'team-a', type: 'service', lifecycle: 'production' },
    }));
    const calls: AuthorizeCall[] = [];
    const server = await startDemoBackend({
      entities,
      deny: [
        {
          permission: 'mesh-security.entity.read',
          resourceRef: 'component:default/service-number-7',
        },
      ],
      calls,
    });
    const res = await asUser(
      request(server).get('/api/mesh-security/overview?search=number-7'),
    );
    expect(res.status).toBe(200);
    // service-number-7, -70…-79, -700…-799: 111, one of them denied.
    expect(res.body.totalItems).toBe(110);
    const asked = calls
      .filter(c =>
        c.requests.some(r => r.permission.name === 'mesh-security.entity.read'),
      )
      .flatMap(c => c.requests);
    expect(asked).toHaveLength(1500);
  });
});

describe('POST /check with workload references', () => {
  jest.setTimeout(30_000);

  const checkout = { namespace: 'storefront', name: 'checkout' };
  const payments = { namespace: 'payments', name: 'payments-api' };
  /** No catalog component selects CoreDNS. */
  const coredns = { namespace: 'kube-system', name: 'coredns' };
  const check = (server: any, from: object, to: object) =>
    asUser(request(server).post('/api/mesh-security/check')).send({
      from,
      to,
      port: 8080,
      method: 'POST',
      path: '/charge',
    });

  it.each([
    [
      'catalog.entity.read',
      'target',
      checkout,
      payments,
      'payments/payments-api',
    ],
    [
      'mesh-security.entity.read',
      'target',
      checkout,
      payments,
      'payments/payments-api',
    ],
    [
      'catalog.entity.read',
      'source',
      checkout,
      payments,
      'storefront/checkout',
    ],
    [
      'mesh-security.entity.read',
      'source',
      checkout,
      payments,
      'storefront/checkout',
    ],
  ])(
    'answers 404 when %s of the %s workload owner is denied, as for a workload that does not exist',
    async (permission, end, from, to, named) => {
      const owner = end === 'target' ? PAYMENTS : 'component:default/checkout';
      const server = await startDemoBackend({
        deny: [{ permission, resourceRef: owner }],
      });
      const res = await check(server, from, to);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe(
        `workload ${named} not found, or not allowed`,
      );
      expect(JSON.stringify(res.body)).not.toMatch(/decision|reasons|ALLOW/);

      const [namespace] = named.split('/');
      const missing = { namespace, name: 'no-such-workload' };
      const absent = await check(
        server,
        end === 'source' ? missing : from,
        end === 'target' ? missing : to,
      );
      expect(absent.status).toBe(404);
      expect(absent.body.error.message).toBe(
        `workload ${namespace}/no-such-workload not found, or not allowed`,
      );
    },
  );

  it("decides every owner of both ends in one call with the caller's credentials", async () => {
    const calls: AuthorizeCall[] = [];
    const server = await startDemoBackend({ calls });
    const res = await check(server, checkout, payments);
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe('ALLOW');
    const owners = calls.filter(c =>
      c.requests.some(r => r.permission.name === 'catalog.entity.read'),
    );
    expect(owners).toHaveLength(1);
    expect(owners[0].credentials.principal).toMatchObject({ type: 'user' });
    expect(
      owners[0].requests.map(r => [r.permission.name, (r as any).resourceRef]),
    ).toEqual([
      ['catalog.entity.read', PAYMENTS],
      ['mesh-security.entity.read', PAYMENTS],
      ['catalog.entity.read', 'component:default/checkout'],
      ['mesh-security.entity.read', 'component:default/checkout'],
      // The platform view: unowned workloads, and cluster errors in full.
      ['mesh-security.overview.read', undefined],
    ]);
  });

  it('refuses workload references while the catalog cannot be listed (owners unknown)', async () => {
    const server = await startDemoBackend({
      catalog: catalogServiceMock.mock({
        queryEntities: async () => {
          throw new Error('connect ECONNREFUSED 10.0.0.9:7007');
        },
      }).factory as any,
    });
    const res = await check(server, checkout, payments);
    expect(res.status).toBe(503);
    expect(res.body.error.message).toBe(
      'the catalog could not be listed to find the components that own the workloads; try again, or name the components by entity reference',
    );
    expect(JSON.stringify(res.body)).not.toMatch(/10\.0\.0\.9|decision/);
  });

  it('answers about a workload no entity owns only with the platform view (mesh-security.overview.read)', async () => {
    const platform = await startDemoBackend();
    const allowed = await check(platform, coredns, payments);
    expect(allowed.status).toBe(200);
    expect(allowed.body.results[0].from).toMatchObject(coredns);

    const team = await startDemoBackend({
      deny: ['mesh-security.overview.read'],
    });
    const denied = await check(team, coredns, payments);
    expect(denied.status).toBe(404);
    expect(denied.body.error.message).toBe(
      'workload kube-system/coredns not found, or not allowed',
    );
    // The team still checks the workloads of the components it may read.
    expect((await check(team, checkout, payments)).status).toBe(200);
  });
});

describe('cluster errors', () => {
  jest.setTimeout(30_000);

  const GONE = '/srv/gitops/no-such-clusters/gone';
  const GENERIC =
    'cluster gone could not be read; the platform team sees the details';

  /** The demo cluster and one whose manifests directory does not exist. */
  async function start(deny: string[]) {
    const logger = mockServices.logger.mock();
    logger.child.mockReturnValue(logger);
    const server = await startDemoBackend({
      deny,
      logger,
      clusters: [{ name: 'gone', type: 'manifests', path: GONE }],
    });
    const get = (url: string) =>
      asUser(request(server).get(`/api/mesh-security${url}`));
    const answers = {
      health: await get('/health'),
      entity: await get('/entity/component/default/payments-api'),
      summary: await get('/entity/component/default/payments-api/summary'),
      check: await asUser(
        request(server).post('/api/mesh-security/check'),
      ).send({
        from: { entityRef: 'component:default/checkout' },
        to: { namespace: 'payments', name: 'payments-api' },
        port: 8080,
      }),
    };
    for (const answer of Object.values(answers))
      expect(answer.status).toBe(200);
    return { get, logger, ...answers };
  }

  const gone = (clusters: any[]) => clusters.find(c => c.name === 'gone');
  const reason = (reasons: any[]) => reasons.find(r => r.cluster === 'gone');

  it('are generic for callers without the platform view, in entity answers, checks and /health', async () => {
    const { health, entity, summary, check, logger } = await start([
      'mesh-security.overview.read',
    ]);
    expect(gone(health.body.clusters)).toMatchObject({
      status: 'unreachable',
      error: GENERIC,
    });
    for (const answer of [entity, summary]) {
      expect(gone(answer.body.clusters).error).toBe(GENERIC);
      expect(reason(answer.body.partialReasons)).toMatchObject({
        state: 'unreachable',
        message: GENERIC,
      });
    }
    expect(reason(check.body.partialReasons).message).toBe(GENERIC);
    for (const answer of [health, entity, summary, check])
      expect(JSON.stringify(answer.body)).not.toMatch(/srv\/gitops|ENOENT/);
    // Operators still find the details in the log.
    const logged = JSON.stringify(logger.warn.mock.calls);
    expect(logged).toContain(`at ${GONE}: ENOENT`);
  });

  it('are in full for the platform view, the overview included', async () => {
    const { health, entity, check, get } = await start([]);
    const detailed = `cannot read manifests for cluster gone at ${GONE}: ENOENT`;
    expect(gone(health.body.clusters).error).toBe(detailed);
    expect(gone(entity.body.clusters).error).toBe(detailed);
    expect(reason(check.body.partialReasons).message).toBe(detailed);
    const overview = await get('/overview');
    expect(gone(overview.body.clusters).error).toBe(detailed);
    expect(reason(overview.body.partialReasons).message).toBe(detailed);
  });
});
