import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { KUBERNETES_ANNOTATION } from '@backstage/plugin-kubernetes-common';
import { asUser, startDemoBackend as start } from './__testUtils__/demoBackend';
import { AuthorizeCall } from './__testUtils__/permissions';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { nextSlice, REQUEST_HOLD_MS } from './snapshots/slices';

describe('mesh-security REST API', () => {
  jest.setTimeout(30_000);

  it('GET /entity returns the posture of a component from the demo cluster', async () => {
    const server = await start();
    const res = await asUser(
      request(server).get(
        '/api/mesh-security/entity/component/default/payments-api',
      ),
    );
    expect(res.status).toBe(200);
    expect(res.body.entityRef).toBe('component:default/payments-api');
    expect(res.body.mtls).toBe('PARTIAL');
    expect(res.body.meshes).toEqual(['istio-sidecar']);
    const [workload] = res.body.workloads;
    expect(workload).toMatchObject({
      cluster: 'demo',
      namespace: 'payments',
      name: 'payments-api',
      identity: 'spiffe://cluster.local/ns/payments/sa/payments-api',
    });
    expect(workload.ports.map((p: any) => [p.port, p.mtls])).toEqual([
      [8080, 'STRICT'],
      [9090, 'DISABLED'],
    ]);
    expect(
      workload.callers.some(
        (e: any) => e.peer.name === 'checkout' && e.port === 8080,
      ),
    ).toBe(true);
    expect(workload.policies.map((p: any) => p.kind)).toContain(
      'AuthorizationPolicy',
    );
    for (const policy of workload.policies) {
      expect(policy.manifest).toMatchObject({
        apiVersion: policy.apiVersion,
        kind: policy.kind,
        metadata: { name: policy.name, namespace: policy.namespace },
        spec: expect.any(Object),
      });
    }
    expect(res.body.clusters[0]).toMatchObject({
      name: 'demo',
      status: 'ok',
      stale: false,
    });
    expect(typeof res.body.clusters[0].snapshotAgeSeconds).toBe('number');
    expect(res.body.partial).toBe(false);
    // Findings of other workloads in the namespace are theirs, not this component's.
    const workloadFindings = res.body.findings.filter((f: any) =>
      ['Deployment', 'StatefulSet'].includes(f.object.kind),
    );
    expect(
      workloadFindings.every((f: any) => f.object.name === 'payments-api'),
    ).toBe(true);
    expect(
      res.body.findings.some((f: any) => f.object.name === 'payments-api'),
    ).toBe(true);
  });

  it('says UNKNOWN, with the reason, for a component without Kubernetes annotations', async () => {
    const server = await start();
    const res = await asUser(
      request(server).get(
        '/api/mesh-security/entity/component/default/docs-portal',
      ),
    );
    expect(res.status).toBe(200);
    expect(res.body.mtls).toBe('UNKNOWN');
    expect(res.body.mtlsReason).toContain(KUBERNETES_ANNOTATION);
    expect(res.body.workloads).toEqual([]);
  });

  it('finds workloads through the label-selector annotation', async () => {
    const server = await start();
    const res = await asUser(
      request(server).get(
        '/api/mesh-security/entity/component/default/legacy-billing',
      ),
    );
    expect(res.body.workloads.map((w: any) => w.name)).toEqual([
      'legacy-billing',
    ]);
    expect(res.body.mtls).toBe('DISABLED');
  });

  it.each([
    [
      'an unknown entity',
      '/entity/component/default/no-such-thing',
      404,
      'entity component:default/no-such-thing not found',
    ],
    [
      'an invalid name',
      '/entity/component/default/bad%20name',
      400,
      'invalid entity reference',
    ],
    [
      'a huge name',
      `/entity/component/default/${'a'.repeat(300)}`,
      400,
      'invalid entity reference',
    ],
    ['an unknown query key', '/overview?evil=1', 400, 'invalid overview query'],
    [
      'a bad limit',
      '/overview?limit=100000',
      400,
      'invalid overview query: limit',
    ],
    [
      'an unknown mode',
      '/overview?mode=SECURE',
      400,
      'invalid overview query: mode',
    ],
  ])(
    'answers %s with %i and a clear message',
    async (_what, url, status, message) => {
      const server = await start();
      const res = await asUser(request(server).get(`/api/mesh-security${url}`));
      expect(res.status).toBe(status);
      expect(res.body.error.message).toContain(message);
    },
  );

  it('requires credentials on every route', async () => {
    const server = await start();
    for (const [method, url] of [
      ['get', '/health'],
      ['get', '/overview'],
      ['get', '/entity/component/default/checkout'],
      ['get', '/entity/component/default/checkout/summary'],
      ['get', '/entity/component/default/checkout/history'],
      ['get', '/entity/component/default/checkout/pull-requests'],
      ['get', '/history'],
      ['get', '/facts'],
      ['post', '/check'],
    ] as const) {
      const res = await request(server)
        [method](`/api/mesh-security${url}`)
        .set('authorization', mockCredentials.none.header());
      expect(res.status).toBe(401);
    }
  });

  it('hides entities the caller may not read (catalog answers nothing) and enforces our permissions', async () => {
    const hidden = await start({ entities: [] });
    for (const answer of ['', '/summary']) {
      const res = await asUser(
        request(hidden).get(
          `/api/mesh-security/entity/component/default/payments-api${answer}`,
        ),
      );
      expect(res.status).toBe(404);
    }

    // The entity exists, but the caller may not read it in the catalog: 404, as if it did not
    // exist — decided with the caller's credentials for exactly that entity.
    const calls: AuthorizeCall[] = [];
    const unreadable = await start({ deny: ['catalog.entity.read'], calls });
    const hiddenRes = await asUser(
      request(unreadable).get(
        '/api/mesh-security/entity/Component/default/payments-api',
      ),
    );
    expect(hiddenRes.status).toBe(404);
    expect(JSON.stringify(hiddenRes.body)).not.toMatch(/spiffe|workloads|mtls/);
    const hiddenSummary = await asUser(
      request(unreadable).get(
        '/api/mesh-security/entity/Component/default/payments-api/summary',
      ),
    );
    expect(hiddenSummary.status).toBe(404);
    expect(JSON.stringify(hiddenSummary.body)).not.toMatch(
      /spiffe|workloads|mtls/,
    );
    const decided = calls.find(c =>
      c.requests.some(r => r.permission.name === 'catalog.entity.read'),
    )!;
    expect(decided.credentials.principal).toMatchObject({
      type: 'user',
      userEntityRef: mockCredentials.user().principal.userEntityRef,
    });
    expect(
      decided.requests.map(r => [r.permission.name, (r as any).resourceRef]),
    ).toEqual([
      ['catalog.entity.read', 'component:default/payments-api'],
      ['mesh-security.entity.read', 'component:default/payments-api'],
      // Whether cluster errors are shown in full (the platform view).
      ['mesh-security.overview.read', undefined],
    ]);
    const checkHidden = await asUser(
      request(unreadable).post('/api/mesh-security/check'),
    ).send({
      from: { entityRef: 'component:default/checkout' },
      to: { entityRef: 'payments-api' },
      port: 8080,
    });
    expect(checkHidden.status).toBe(404);

    const denied = await start({
      deny: ['mesh-security.entity.read', 'mesh-security.overview.read'],
    });
    for (const answer of ['', '/summary'])
      expect(
        (
          await asUser(
            request(denied).get(
              `/api/mesh-security/entity/component/default/payments-api${answer}`,
            ),
          )
        ).status,
      ).toBe(403);
    expect(
      (await asUser(request(denied).get('/api/mesh-security/overview'))).status,
    ).toBe(403);
  });

  it('GET /overview filters, sorts and paginates the annotated components', async () => {
    const server = await start();
    const all = await asUser(
      request(server).get('/api/mesh-security/overview?limit=100'),
    );
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: any) => i.name)).not.toContain('docs-portal');
    expect(all.body.totalItems).toBe(10);
    const strict = await asUser(
      request(server).get('/api/mesh-security/overview?mode=STRICT'),
    );
    expect(strict.body.items.map((i: any) => i.name).sort()).toEqual([
      'fraud-check',
      'inventory',
    ]);
    const page = await asUser(
      request(server).get(
        '/api/mesh-security/overview?sort=name&order=desc&limit=2&offset=1',
      ),
    );
    expect(page.body.items.map((i: any) => i.name)).toEqual([
      'payments-ledger',
      'payments-api',
    ]);
    expect(page.body.totalItems).toBe(10);
    // Modes sort best first, as the overview's chart stacks them (MTLS_MODES).
    const byMtls = await asUser(
      request(server).get('/api/mesh-security/overview?sort=mtls&limit=100'),
    );
    expect([...new Set(byMtls.body.items.map((i: any) => i.mtls))]).toEqual([
      'STRICT',
      'PERMISSIVE',
      'PARTIAL',
      'DISABLED',
    ]);
    expect(all.body.distribution.byMode.STRICT).toBe(2);
    expect(all.body.facets.owners).toContain('payments-team');
  });

  it('POST /check runs the engine for entity or workload endpoints', async () => {
    const server = await start();
    const check = (body: object) =>
      asUser(request(server).post('/api/mesh-security/check').send(body));
    const allowed = await check({
      from: { entityRef: 'component:default/checkout' },
      to: { entityRef: 'component:default/payments-api' },
      port: 8080,
      method: 'POST',
      path: '/charge',
    });
    expect(allowed.status).toBe(200);
    expect(allowed.body.decision).toBe('ALLOW');
    const wrongMethod = await check({
      from: { namespace: 'storefront', name: 'checkout' },
      to: { namespace: 'payments', name: 'payments-api' },
      port: 8080,
      method: 'GET',
      path: '/charge',
    });
    expect(wrongMethod.body.decision).toBe('DENY');
    expect(
      wrongMethod.body.results[0].decision.reasons.some(
        (r: any) => r.layer === 'authorization',
      ),
    ).toBe(true);
    const external = await check({
      from: { kind: 'external' },
      to: { entityRef: 'component:default/payments-api' },
      port: 8080,
    });
    expect(external.body.decision).toBe('DENY');
    expect(external.body.results[0].decision.reasons[0].layer).toBe('mtls');
    const invalid = await check({
      from: { kind: 'external' },
      to: { entityRef: 'component:default/payments-api' },
      port: 70000,
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toContain('port');
    const controlInPath = await check({
      from: { kind: 'external' },
      to: { entityRef: 'component:default/payments-api' },
      port: 8080,
      method: 'GET',
      path: '/charge\u001b[2J',
    });
    expect(controlInPath.status).toBe(400);
    expect(controlInPath.body.error.message).toBe(
      'invalid check request: path: path must start with / and contain no spaces or control characters',
    );
  });

  it('answers other requests while a large overview is being computed', async () => {
    // 4,000 components over the demo's workloads: about a second of entity work, in slices.
    const names = ['checkout', 'payments-api', 'fraud-check', 'inventory'];
    const entities = Array.from({ length: 4000 }, (_, i) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: `c-${i}`,
        namespace: 'default',
        annotations: { [KUBERNETES_ANNOTATION]: names[i % names.length] },
      },
      spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
    }));
    const server = await start({ entities });
    const done: string[] = [];
    const overview = asUser(
      request(server).get('/api/mesh-security/overview?limit=5'),
    ).then(res => {
      done.push('overview');
      return res;
    });
    // Once the overview is at its entities (after its own credentials, catalog and permission
    // hops), a health check asked then is answered before it.
    let health: request.Response | undefined;
    for (let i = 0; i < 200 && !done.includes('overview'); i++) {
      await new Promise(resolve => setTimeout(resolve, 25));
      if (!done.includes('overview') && !health) {
        const res = await asUser(
          request(server).get('/api/mesh-security/health'),
        );
        done.push('health');
        health = res;
      }
    }
    const res = await overview;
    expect(res.status).toBe(200);
    expect(res.body.totalItems).toBe(4000);
    expect(health?.status).toBe(200);
    expect(done).toEqual(['health', 'overview']);
  });

  it('holds background slices back while a request is being answered', async () => {
    // The catalog answers the request's entity only when the test says so: meanwhile the
    // request is in flight, between two of its hops.
    let release!: () => void;
    const released = new Promise<void>(resolve => (release = resolve));
    let asked!: () => void;
    const askedFor = new Promise<void>(resolve => (asked = resolve));
    const server = await start({
      catalog: catalogServiceMock.mock({
        getEntityByRef: async () => {
          asked();
          await released;
          return {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'held', namespace: 'default' },
            spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
          };
        },
      }).factory as any,
    });
    const answer = asUser(
      request(server).get('/api/mesh-security/entity/component/default/held'),
    ).then(res => res);
    await askedFor;
    const queued = Date.now();
    let ranAfter: number | undefined;
    const slice = nextSlice().then(() => (ranAfter = Date.now() - queued));
    for (let turn = 0; turn < 5; turn++)
      await new Promise(resolve => setImmediate(resolve));
    // Not run, or only once held for REQUEST_HOLD_MS (then it runs anyway).
    expect(ranAfter === undefined || ranAfter >= REQUEST_HOLD_MS).toBe(true);
    release();
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.body.mtls).toBe('UNKNOWN');
    await slice;
    expect(ranAfter).toEqual(expect.any(Number));
  });
});
