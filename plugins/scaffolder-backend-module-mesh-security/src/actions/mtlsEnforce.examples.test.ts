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
    expect(examples.map(e => e.description)).toEqual([INVENTORY]);
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
});
