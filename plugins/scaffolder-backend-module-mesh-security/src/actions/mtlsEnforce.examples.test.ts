import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { setupServer } from 'msw/node';
import { parse } from 'yaml';
import { setup } from '../__testUtils__/harness';
import { createMtlsEnforceAction } from './mtlsEnforce';
import { examples } from './mtlsEnforce.examples';

/*
 * Every example of the action's documentation, run through its handler against the demo
 * estate: an example that stops working fails here.
 */

const server = setupServer();
registerMswTestHooks(server);

const INVENTORY = 'Make every port of inventory accept only mTLS';
const CHECKOUT =
  'Enforce on checkout although the mesh observed plaintext callers (they will be refused)';

/** The input of the example's only step, after checking that the step runs this action. */
function exampleInput(description: string): JsonObject {
  const example = examples.find(e => e.description === description);
  if (!example) throw new Error(`No example "${description}"`);
  const { steps } = parse(example.example);
  expect(steps).toHaveLength(1);
  expect(steps[0].action).toBe('mesh-security:mtls:enforce');
  return steps[0].input;
}

describe('mesh-security:mtls:enforce examples', () => {
  it('documents exactly the examples run below', () => {
    expect(examples.map(e => e.description)).toEqual([INVENTORY, CHECKOUT]);
  });

  it('opens a pull request with a STRICT PeerAuthentication selecting the inventory workload', async () => {
    const { github, deps, context, outputs } = setup(server);
    const ctx = context(exampleInput(INVENTORY));
    await createMtlsEnforceAction(deps).handler(ctx);
    const out = outputs(ctx);
    expect(out).toMatchObject({
      changed: true,
      pullRequestNumber: 1,
      pullRequestUrl: 'https://github.com/acme/gitops/pull/1',
      policyPath: 'clusters/demo/inventory/authentication/inventory.yaml',
    });
    expect(String(out.impact)).toContain('| port |');
    const written = parse(
      github.file(String(out.branch), String(out.policyPath))!,
    );
    expect(written).toMatchObject({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { namespace: 'inventory' },
      spec: {
        selector: { matchLabels: expect.any(Object) },
        mtls: { mode: 'STRICT' },
      },
    });
    expect(github.pulls).toHaveLength(1);
    expect(github.pulls[0].head.ref).toBe(out.branch);
    expect(github.pulls[0].body).toContain(
      '> All callers are meshed since the storefront migration.',
    );
  });

  it('enforces on checkout despite its observed plaintext, saying so in the pull request', async () => {
    const { github, deps, context, outputs } = setup(server, {
      files: {},
      traffic: {
        ageSeconds: 60,
        observations: {
          cluster: 'demo',
          status: 'ok',
          windows: { recentSeconds: 3600, evidenceSeconds: 604800 },
          truncated: false,
          flows: [
            {
              mesh: 'istio',
              to: { namespace: 'storefront', name: 'checkout' },
              from: { kind: 'unknown' },
              protocol: 'http',
              recent: { mtls: 0, plaintext: 8, denied: 8 },
              evidence: { mtls: 0, plaintext: 576, denied: 576 },
            },
          ],
        },
      },
    });
    const input = exampleInput(CHECKOUT);
    expect(input.allowObservedPlaintext).toBe(true);
    const ctx = context(input);
    await createMtlsEnforceAction(deps).handler(ctx);
    expect(outputs(ctx)).toMatchObject({
      changed: true,
      policyPath: 'clusters/demo/storefront/authentication/checkout.yaml',
    });
    expect(github.pulls[0].body).toContain(
      '**Enforced despite observed plaintext**',
    );
    // Without the override the same input is refused.
    await expect(
      createMtlsEnforceAction(deps).handler(
        context({ ...input, allowObservedPlaintext: false }),
      ),
    ).rejects.toThrow(/accepted 576 plaintext/);
  });
});
