import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { createEngine } from '@mesh-security/plugin-mesh-security-common';
import { setupServer } from 'msw/node';
import { parseAllDocuments } from 'yaml';
import { buildSnapshot } from '../analysis/snapshot';
import { demoPosture } from '../__testUtils__/demoEstate';
import {
  ANALYTICS_PATH,
  expectGolden,
  fixture,
  setup,
} from '../__testUtils__/harness';
import { createAccessRequestAction } from './accessRequest';

/*
 * Per-route access on Linkerd targets: HTTPRoute + AuthorizationPolicy targeting it +
 * MeshTLSAuthentication, and the refusals that keep existing callers' requests working.
 */

const server = setupServer();
registerMswTestHooks(server);

const ROUTES = fixture('linkerd-analytics-routes.before.yaml');
const REPORTING =
  'reporting.data.serviceaccount.identity.linkerd.cluster.local';
const reports = {
  target: 'component:default/analytics-api',
  callers: [REPORTING],
  ports: [8080],
  methods: ['GET'],
  paths: ['/reports/*'],
  justification: 'The nightly report reads the report endpoints only.',
};
const objects = (text: string) =>
  parseAllDocuments(text).map(d => d.toJS()) as Array<{
    kind: string;
    metadata: { name: string };
    spec: Record<string, any>;
  }>;

/** The engine's decision for a request to analytics-api:8080 with the file's policies. */
function decide(
  text: string,
  caller: { namespace: string; serviceAccount: string },
  method: string,
  path: string,
) {
  const target = demoPosture('analytics-api', 'data').workloads[0];
  const snapshot = buildSnapshot(
    { cluster: 'demo', target, callers: [caller] },
    text,
  ).snapshot;
  return createEngine(snapshot, { cluster: 'demo' }).check({
    from: { namespace: caller.namespace, name: caller.serviceAccount },
    to: { namespace: 'data', name: 'analytics-api' },
    port: 8080,
    method,
    path,
  }).decision;
}

describe('mesh-security:access:request (Linkerd per-route)', () => {
  it('attaches an HTTPRoute with its own grant and explains the routing in the pull request', async () => {
    const { github, deps, context, outputs } = setup(server, {
      files: { [ANALYTICS_PATH]: ROUTES },
    });
    const ctx = context(reports);
    await createAccessRequestAction(deps).handler(ctx);
    const out = outputs(ctx);
    expect(out).toMatchObject({ changed: true, pullRequestNumber: 1 });
    const after = github.file(String(out.branch), ANALYTICS_PATH)!;
    expectGolden('linkerd-analytics-routes.after.yaml', after);

    const route = objects(after).find(
      o => o.kind === 'HTTPRoute' && o.metadata.name === 'analytics-http-route',
    )!;
    expect(route.spec).toEqual({
      parentRefs: [
        { group: 'policy.linkerd.io', kind: 'Server', name: 'analytics-http' },
      ],
      rules: [
        {
          matches: [
            { path: { type: 'PathPrefix', value: '/reports' }, method: 'GET' },
          ],
        },
      ],
    });
    const policy = objects(after).find(
      o =>
        o.kind === 'AuthorizationPolicy' &&
        o.spec.targetRef.kind === 'HTTPRoute' &&
        o.spec.targetRef.name === 'analytics-http-route',
    )!;
    expect(policy.spec.requiredAuthenticationRefs).toEqual([
      {
        group: 'policy.linkerd.io',
        kind: 'MeshTLSAuthentication',
        name: 'analytics-http-route-callers',
      },
    ]);

    // The engine: the caller gets exactly the route; the existing caller keeps everything.
    const reporting = { namespace: 'data', serviceAccount: 'reporting' };
    const etl = { namespace: 'data', serviceAccount: 'etl-worker' };
    expect(decide(ROUTES, reporting, 'GET', '/reports/daily')).toBe('DENY');
    expect(decide(after, reporting, 'GET', '/reports/daily')).toBe('ALLOW');
    expect(decide(after, reporting, 'POST', '/reports/daily')).toBe('DENY');
    expect(decide(after, reporting, 'GET', '/sales')).toBe('DENY');
    for (const [method, path] of [
      ['GET', '/reports/daily'],
      ['POST', '/load'],
    ])
      expect([
        decide(ROUTES, etl, method, path),
        decide(after, etl, method, path),
      ]).toEqual(['ALLOW', 'ALLOW']);

    const body = github.pulls[0].body;
    expect(body).toContain('`data/reporting GET /reports/*: DENY → ALLOW`');
    expect(body).toMatch(
      /\| 8080 \| [^|]*`data\/etl-worker`[^|]* \| [^|]*`data\/etl-worker`[^|]*`data\/reporting \(GET \/reports\/\*\)`[^|]* \| `data\/reporting \(GET \/reports\/\*\)` \| — \|/,
    );
    expect(body).toContain('#### Notes');
    expect(body).toContain(
      'Linkerd serves requests to Server data/analytics-http only when they match one of its HTTPRoutes (analytics-http-all, analytics-http-probes, analytics-http-route); other requests are refused with 404.',
    );
  });

  it('joins the HTTPRoute that already has exactly these matches instead of adding one', async () => {
    const { github, deps, context, outputs } = setup(server, {
      files: { [ANALYTICS_PATH]: ROUTES },
    });
    const action = createAccessRequestAction(deps);
    const first = context({ ...reports, paths: ['/exports'] });
    await action.handler(first);
    const content = github.file(String(outputs(first).branch), ANALYTICS_PATH)!;
    const routes = objects(content).filter(o => o.kind === 'HTTPRoute');
    expect(routes.map(r => r.metadata.name)).toEqual([
      'analytics-http-all',
      'analytics-http-probes',
      'analytics-http-route',
    ]);

    // Same matches again, another caller: same route, same MeshTLSAuthentication.
    const second = context({
      ...reports,
      paths: ['/exports'],
      callers: ['audit.ops.serviceaccount.identity.linkerd.cluster.local'],
    });
    await action.handler(second);
    const joined = objects(
      github.file(github.pulls[0].head.ref, ANALYTICS_PATH)!,
    );
    expect(joined.filter(o => o.kind === 'HTTPRoute')).toHaveLength(3);
    expect(
      joined.find(o => o.metadata.name === 'analytics-http-route-callers')!.spec
        .identityRefs,
    ).toEqual([
      { kind: 'ServiceAccount', name: 'reporting' },
      { kind: 'ServiceAccount', name: 'audit', namespace: 'ops' },
    ]);
  });

  it('reuses an existing route with these exact matches (trailing slash and match order do not matter)', async () => {
    const withApi = ROUTES.replace(
      '        - path:\n            type: PathPrefix\n            value: /\n',
      '        - path:\n            type: PathPrefix\n            value: /\n---\n# GET under /api/\napiVersion: policy.linkerd.io/v1beta3\nkind: HTTPRoute\nmetadata:\n  name: analytics-api-read\n  namespace: data\nspec:\n  parentRefs:\n    - group: policy.linkerd.io\n      kind: Server\n      name: analytics-http\n  rules:\n    - matches:\n        - method: GET\n          path:\n            value: /api/\n',
    );
    const { github, deps, context, outputs } = setup(server, {
      files: { [ANALYTICS_PATH]: withApi },
    });
    const ctx = context({ ...reports, paths: ['/api/*'] });
    await createAccessRequestAction(deps).handler(ctx);
    const after = objects(
      github.file(String(outputs(ctx).branch), ANALYTICS_PATH)!,
    );
    expect(after.filter(o => o.kind === 'HTTPRoute')).toHaveLength(3);
    expect(
      after.find(
        o =>
          o.kind === 'AuthorizationPolicy' &&
          o.spec.targetRef.name === 'analytics-api-read',
      ),
    ).toBeDefined();
    expect(github.pulls[0].body).toContain(
      'HTTPRoute data/analytics-api-read already matches GET /api/*; the callers join its grant and routing is unchanged.',
    );
  });

  it('refuses the first HTTPRoute of a Server: unmatched requests and probes would get 404', async () => {
    const { github, deps, context } = setup(server);
    await expect(
      createAccessRequestAction(deps).handler(context(reports)),
    ).rejects.toThrow(
      /Server data\/analytics-http has no HTTPRoute in clusters\/demo\/data\/authorization\/analytics-api.yaml\. .* refused with 404 — including those of the callers allowed on the whole port today \(data\/etl-worker\) and the kubelet's liveness and readiness probes\. Request port-level access instead/,
    );
    expect(github.requests.filter(r => r.method !== 'GET')).toHaveLength(0);
    expect(github.pulls).toHaveLength(0);
  });

  it("counts a Gateway API HTTPRoute as the Server's only with the parent's group", async () => {
    // A Gateway API parentRef without a group is the Gateway API's own (its CRD's default):
    // Linkerd attaches the route to no Server, so the Server still has no route.
    const gatewayRoute = `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: analytics-gateway-api
  namespace: data
spec:
  parentRefs:
    - kind: Server
      name: analytics-http
  rules:
    - matches:
        - path: {type: PathPrefix, value: /api}
`;
    const base = fixture('linkerd-analytics.before.yaml');
    const run = async (file: string) => {
      const { deps, context, outputs } = setup(server, {
        files: { [ANALYTICS_PATH]: file },
      });
      const ctx = context(reports);
      await createAccessRequestAction(deps).handler(ctx);
      return outputs(ctx);
    };
    await expect(run(base + gatewayRoute)).rejects.toThrow(
      /Server data\/analytics-http has no HTTPRoute in /,
    );
    // With the group but a filter Linkerd's inbound routes lack, Linkerd ignores the route.
    await expect(
      run(
        base +
          gatewayRoute
            .replace(
              '- kind: Server',
              '- group: policy.linkerd.io\n      kind: Server',
            )
            .replace(
              '        - path: {type: PathPrefix, value: /api}\n',
              '        - path: {type: PathPrefix, value: /api}\n      filters:\n        - {type: URLRewrite, urlRewrite: {hostname: b}}\n',
            ),
      ),
    ).rejects.toThrow(/Server data\/analytics-http has no HTTPRoute in /);
    // With the group, the catch-all route may be the Gateway API's: the scaffolder and the
    // engine both see it serve every request, so the new route takes nothing from anyone.
    const catchAll =
      'apiVersion: policy.linkerd.io/v1beta3\nkind: HTTPRoute\nmetadata:\n  name: analytics-http-all';
    expect(ROUTES).toContain(catchAll);
    const gatewayCatchAll = ROUTES.replace(
      catchAll,
      catchAll.replace(
        'policy.linkerd.io/v1beta3',
        'gateway.networking.k8s.io/v1',
      ),
    );
    const out = await run(gatewayCatchAll);
    expect(out).toMatchObject({ changed: true });
    const etl = { namespace: 'data', serviceAccount: 'etl-worker' };
    expect(decide(gatewayCatchAll, etl, 'POST', '/load')).toBe('ALLOW');
    expect(
      decide(
        gatewayCatchAll.replace('value: /\n', 'value: /api\n'),
        etl,
        'POST',
        '/load',
      ),
    ).toBe('DENY');
  });

  it('refuses a route that would widen what the Server-level callers may do, saying so', async () => {
    // Without a catch-all, data/etl-worker (authorized on the whole Server) may make only the
    // requests the routes serve; Linkerd adds the Server's authorizations to every route, so
    // a route for /reports would let etl-worker make those requests too.
    const { github, deps, context } = setup(server, {
      files: {
        [ANALYTICS_PATH]: ROUTES.replace(
          'type: PathPrefix\n            value: /\n',
          'type: PathPrefix\n            value: /api\n',
        ),
      },
    });
    await expect(
      createAccessRequestAction(deps).handler(context(reports)),
    ).rejects.toThrow(
      /^The change would alter the requests existing callers may make \(port 8080: data\/etl-worker \([^)]*\/api[^)]*\) → data\/etl-worker \([^)]*GET \/reports\/\*[^)]*\)\); nothing was written$/,
    );
    expect(github.pulls).toHaveLength(0);
  });

  it('refuses a route that would take requests from an overlapping route with its own grant', async () => {
    const { github, deps, context } = setup(server, {
      files: { [ANALYTICS_PATH]: ROUTES },
    });
    await expect(
      createAccessRequestAction(deps).handler(
        context({ ...reports, paths: ['/ready'] }),
      ),
    ).rejects.toThrow(
      /HTTPRoute data\/analytics-http-probes of Server analytics-http \(GET \/live, GET \/ready\) overlaps GET \/ready and has its own AuthorizationPolicies \(analytics-http-probes\)/,
    );
    expect(github.pulls).toHaveLength(0);
  });

  it.each([
    [
      'a suffix path',
      ROUTES,
      { paths: ['*.json'] },
      /suffix match cannot be expressed/,
    ],
    [
      'an opaque Server',
      ROUTES.replace('proxyProtocol: HTTP/1', 'proxyProtocol: opaque'),
      {},
      /Server data\/analytics-http \(port 8080\) has proxyProtocol opaque: HTTPRoutes do not apply to it/,
    ],
  ])(
    'refuses %s before writing anything',
    async (_, file, override, message) => {
      const { github, deps, context } = setup(server, {
        files: { [ANALYTICS_PATH]: file },
      });
      await expect(
        createAccessRequestAction(deps).handler(
          context({ ...reports, ...override }),
        ),
      ).rejects.toThrow(message);
      expect(github.requests.filter(r => r.method !== 'GET')).toHaveLength(0);
    },
  );

  it('reports access the Server-level grant already gives without a pull request', async () => {
    const { github, deps, context, outputs } = setup(server, {
      files: { [ANALYTICS_PATH]: ROUTES },
    });
    const ctx = context({
      ...reports,
      callers: ['component:default/etl-worker'],
    });
    await createAccessRequestAction(deps).handler(ctx);
    expect(outputs(ctx)).toMatchObject({
      changed: false,
      message: 'No change: the requested access is already allowed',
    });
    expect(github.pulls).toHaveLength(0);
  });
});
