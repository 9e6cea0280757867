import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { parseAllDocuments } from 'yaml';
import {
  accessMatrix,
  changedDecisions,
  requestsFor,
} from '../__testUtils__/accessMatrix';
import { ANALYTICS_PATH, fixture, setup } from '../__testUtils__/harness';
import { createAccessRevokeAction } from './accessRevoke';

/*
 * Granular revoke on Linkerd: route-level grants (HTTPRoute) and per-port grants. The engine's
 * decisions before and after prove what moved and what did not.
 */

const server = setupServer();
registerMswTestHooks(server);

/** analytics-api with a Server-level grant (etl-worker) and a route grant (reporting). */
const ROUTED = fixture('linkerd-analytics-routes.after.yaml');
/** Also: an exports route whose grant shares reporting's MeshTLSAuthentication, with ops/audit. */
const SHARED_MTA = `${ROUTED.replace(
  '      name: reporting\n',
  '      name: reporting\n    - kind: ServiceAccount\n      name: audit\n      namespace: ops\n',
)}---
apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata:
  name: analytics-http-exports
  namespace: data
spec:
  parentRefs:
    - group: policy.linkerd.io
      kind: Server
      name: analytics-http
  rules:
    - matches:
        - path:
            type: Exact
            value: /exports
          method: GET
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata:
  name: analytics-http-exports-callers
  namespace: data
spec:
  targetRef:
    group: policy.linkerd.io
    kind: HTTPRoute
    name: analytics-http-exports
  requiredAuthenticationRefs:
    - group: policy.linkerd.io
      kind: MeshTLSAuthentication
      name: analytics-http-route-callers
`;
const REPORTING =
  'reporting.data.serviceaccount.identity.linkerd.cluster.local';
const matrix = (text: string) =>
  accessMatrix(
    { name: 'analytics-api', namespace: 'data' },
    text,
    requestsFor(
      ['data/etl-worker', 'data/reporting', 'ops/audit'],
      [8080],
      ['GET', 'POST'],
      ['/reports/daily', '/exports', '/load'],
    ),
  );
const kinds = (text: string) =>
  parseAllDocuments(text)
    .map(d => d.toJS())
    .map(o => `${o.kind}/${o.metadata.name}`);

async function run(input: Record<string, unknown>, file = ROUTED) {
  const harness = setup(server, { files: { [ANALYTICS_PATH]: file } });
  const ctx = harness.context({
    target: 'component:default/analytics-api',
    callers: [REPORTING],
    justification: 'The nightly report moved to the warehouse.',
    ...input,
  });
  await createAccessRevokeAction(harness.deps).handler(ctx);
  const out = harness.outputs(ctx);
  const after = out.branch
    ? harness.github.file(String(out.branch), ANALYTICS_PATH)!
    : file;
  return { ...harness, out, after };
}

describe('mesh-security:access:revoke with methods, paths, ports (Linkerd)', () => {
  it('removes the route-level grant of exactly those matches; the route and the other grants stay', async () => {
    const { out, after } = await run({
      methods: ['GET'],
      paths: ['/reports/*'],
    });
    expect(changedDecisions(matrix(ROUTED), matrix(after))).toEqual([
      'data/reporting 8080 GET /reports/daily: ALLOW → DENY',
    ]);
    expect(kinds(after)).toEqual(
      expect.arrayContaining(['HTTPRoute/analytics-http-route']),
    );
    expect(kinds(after)).not.toContain(
      'AuthorizationPolicy/analytics-http-route-callers',
    );
    expect(out.removed).toEqual([
      'data/reporting: GET /reports/* on port 8080 (HTTPRoute analytics-http-route of Server analytics-http, AuthorizationPolicy analytics-http-route-callers)',
    ]);
  });

  it('gives the grant its own copy of a MeshTLSAuthentication other grants share', async () => {
    const { after } = await run(
      { methods: ['GET'], paths: ['/reports/*'] },
      SHARED_MTA,
    );
    expect(changedDecisions(matrix(SHARED_MTA), matrix(after))).toEqual([
      'data/reporting 8080 GET /reports/daily: ALLOW → DENY',
    ]);
    const objects = parseAllDocuments(after).map(d => d.toJS());
    expect(
      objects.find(
        o =>
          o.metadata.name === 'analytics-http-route-callers' &&
          o.kind === 'AuthorizationPolicy',
      ).spec.requiredAuthenticationRefs[0].name,
    ).toBe('analytics-http-route-callers-2');
    expect(
      objects.find(o => o.metadata.name === 'analytics-http-route-callers-2')
        .spec.identityRefs,
    ).toEqual([{ kind: 'ServiceAccount', name: 'audit', namespace: 'ops' }]);
  });

  it('revoking a port takes the Server-level and the route-level grants on it', async () => {
    const { after } = await run({
      callers: [REPORTING, 'component:default/etl-worker'],
      ports: [8080],
    });
    expect(changedDecisions(matrix(ROUTED), matrix(after))).toEqual([
      'data/etl-worker 8080 GET /reports/daily: ALLOW → DENY',
      'data/etl-worker 8080 GET /exports: ALLOW → DENY',
      'data/etl-worker 8080 GET /load: ALLOW → DENY',
      'data/etl-worker 8080 POST /reports/daily: ALLOW → DENY',
      'data/etl-worker 8080 POST /exports: ALLOW → DENY',
      'data/etl-worker 8080 POST /load: ALLOW → DENY',
      'data/reporting 8080 GET /reports/daily: ALLOW → DENY',
    ]);
  });

  it('refuses to take single requests out of a port-level grant', async () => {
    const { deps, context, github } = setup(server, {
      files: { [ANALYTICS_PATH]: ROUTED },
    });
    await expect(
      createAccessRevokeAction(deps).handler(
        context({
          target: 'component:default/analytics-api',
          callers: ['component:default/etl-worker'],
          methods: ['GET'],
          paths: ['/reports/*'],
          justification: 'The loader only writes now.',
        }),
      ),
    ).rejects.toThrow(
      /data\/etl-worker may call every request on port 8080 through AuthorizationPolicy data\/analytics-http-data-callers \(Server analytics-http\); Linkerd cannot take single requests out of a port-level grant/,
    );
    expect(github.pulls).toHaveLength(0);
  });

  it('says there is nothing to revoke for matches the caller was never granted', async () => {
    const { out, github } = await run({
      methods: ['POST'],
      paths: ['/reports/*'],
    });
    expect(out).toMatchObject({
      changed: false,
      message: `No change: nothing to revoke: ${ANALYTICS_PATH} grants data/reporting no POST /reports/* to data/analytics-api`,
    });
    expect(github.pulls).toHaveLength(0);
  });
});
