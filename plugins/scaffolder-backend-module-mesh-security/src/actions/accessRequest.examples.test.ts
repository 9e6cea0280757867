import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { setupServer } from 'msw/node';
import { parse, parseAllDocuments } from 'yaml';
import {
  ANALYTICS_PATH,
  fixture,
  PAYMENTS_PATH,
  setup,
} from '../__testUtils__/harness';
import { createAccessRequestAction } from './accessRequest';
import { examples } from './accessRequest.examples';

/*
 * Every example of the action's documentation, run through its handler against the demo
 * estate: an example that stops working fails here.
 */

const server = setupServer();
registerMswTestHooks(server);

/** The input of the example's only step, after checking that the step runs this action. */
function exampleInput(description: string): JsonObject {
  const example = examples.find(e => e.description === description);
  if (!example) throw new Error(`No example "${description}"`);
  const { steps } = parse(example.example);
  expect(steps).toHaveLength(1);
  expect(steps[0].action).toBe('mesh-security:access:request');
  return steps[0].input;
}

/** Runs an example and returns its outputs and the policy file on the pull request's branch. */
async function run(
  description: string,
  policyPath: string,
  files?: Record<string, string>,
) {
  const harness = setup(server, { files });
  const ctx = harness.context(exampleInput(description));
  await createAccessRequestAction(harness.deps).handler(ctx);
  const out = harness.outputs(ctx);
  const after = harness.github.file(String(out.branch), policyPath);
  return { ...harness, out, after: after ?? '' };
}

const objects = (text: string) =>
  parseAllDocuments(text).map(d => d.toJS()) as Array<{
    kind: string;
    metadata: { name: string };
    spec: Record<string, any>;
  }>;

const PER_ROUTE =
  'Let reporting GET /reports/* on analytics-api port 8080 (Linkerd, once its Server has HTTPRoutes in the policy file: an HTTPRoute with its own AuthorizationPolicy)';

describe('mesh-security:access:request examples', () => {
  it('documents exactly the examples run below', () => {
    expect(examples.map(e => e.description)).toEqual([
      'Let checkout GET /status on payments-api port 8080 (Istio), expiring at the end of the year',
      'Let a service account, named by its Linkerd identity, call analytics-api on port 8080',
      PER_ROUTE,
    ]);
  });

  it('Istio: opens a pull request allowing checkout GET /status until the end of the year', async () => {
    const { github, out, after } = await run(
      'Let checkout GET /status on payments-api port 8080 (Istio), expiring at the end of the year',
      PAYMENTS_PATH,
    );
    expect(out).toMatchObject({
      changed: true,
      pullRequestNumber: 1,
      pullRequestUrl: 'https://github.com/acme/gitops/pull/1',
      policyPath: PAYMENTS_PATH,
    });
    expect(out.branch).toMatch(/^mesh-security\/request\/payments-api-/);
    // Every (principals, operation) pair that an ALLOW policy of the file grants.
    const grants = objects(after)
      .filter(o => o.spec.action === 'ALLOW')
      .flatMap(o => o.spec.rules ?? [])
      .flatMap((rule: any) =>
        (rule.to ?? []).map((to: any) => ({
          principals: rule.from?.[0]?.source?.principals,
          operation: to.operation,
        })),
      );
    expect(grants).toContainEqual({
      principals: ['cluster.local/ns/storefront/sa/checkout'],
      operation: { methods: ['GET'], paths: ['/status'], ports: ['8080'] },
    });
    expect(github.pulls).toHaveLength(1);
    expect(github.pulls[0].head.ref).toBe(out.branch);
    expect(github.pulls[0].body).toContain(
      `${new Date().getUTCFullYear()}-12-31`,
    );
    expect(github.pulls[0].body).toContain('`storefront/checkout GET /status');
  });

  it('Linkerd: adds the reporting service account to the identities of the analytics-api port', async () => {
    const { github, out, after } = await run(
      'Let a service account, named by its Linkerd identity, call analytics-api on port 8080',
      ANALYTICS_PATH,
    );
    expect(out).toMatchObject({
      changed: true,
      pullRequestNumber: 1,
      policyPath: ANALYTICS_PATH,
    });
    const callers = objects(after).find(
      o =>
        o.kind === 'MeshTLSAuthentication' &&
        o.metadata.name === 'analytics-callers',
    );
    expect(callers?.spec.identityRefs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'ServiceAccount', name: 'etl-worker' }),
        expect.objectContaining({ kind: 'ServiceAccount', name: 'reporting' }),
      ]),
    );
    expect(github.pulls).toHaveLength(1);
    expect(github.pulls[0].head.ref).toBe(out.branch);
  });

  it('Linkerd per route: refuses a Server without HTTPRoutes, as the example says', async () => {
    const { github, deps, context } = setup(server);
    await expect(
      createAccessRequestAction(deps).handler(context(exampleInput(PER_ROUTE))),
    ).rejects.toThrow(
      'Server data/analytics-http has no HTTPRoute in clusters/demo/data/authorization/analytics-api.yaml',
    );
    expect(github.pulls).toHaveLength(0);
  });

  it('Linkerd per route: attaches an HTTPRoute for GET /reports/* with its own AuthorizationPolicy', async () => {
    const { github, out, after } = await run(PER_ROUTE, ANALYTICS_PATH, {
      [ANALYTICS_PATH]: fixture('linkerd-analytics-routes.before.yaml'),
    });
    expect(out).toMatchObject({
      changed: true,
      pullRequestNumber: 1,
      policyPath: ANALYTICS_PATH,
    });
    const written = objects(after);
    const route = written.find(
      o =>
        o.kind === 'HTTPRoute' &&
        JSON.stringify(o.spec.rules).includes('"value":"/reports"'),
    );
    expect(route?.spec.rules).toEqual([
      {
        matches: [
          { path: { type: 'PathPrefix', value: '/reports' }, method: 'GET' },
        ],
      },
    ]);
    expect(
      written.some(
        o =>
          o.kind === 'AuthorizationPolicy' &&
          o.spec.targetRef?.kind === 'HTTPRoute' &&
          o.spec.targetRef?.name === route!.metadata.name,
      ),
    ).toBe(true);
    expect(github.pulls).toHaveLength(1);
    expect(github.pulls[0].head.ref).toBe(out.branch);
  });
});
