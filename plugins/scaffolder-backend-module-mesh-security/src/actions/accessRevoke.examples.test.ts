import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { setupServer } from 'msw/node';
import { parse } from 'yaml';
import {
  accessMatrix,
  changedDecisions,
  requestsFor,
} from '../__testUtils__/accessMatrix';
import { fixture, PAYMENTS_PATH, setup } from '../__testUtils__/harness';
import { createAccessRevokeAction } from './accessRevoke';
import { examples } from './accessRevoke.examples';

/*
 * Every example of the action's documentation, run through its handler against the demo
 * estate: an example that stops working fails here. The engine's decisions before and after
 * show that the example removes what it says, and nothing else.
 */

const server = setupServer();
registerMswTestHooks(server);

const WHOLE = "Remove checkout's access to payments-api";
const STATUS =
  'Remove only GET /status from checkout on payments-api; its other access, and every other caller, stay';

/** The input of the example's only step, after checking that the step runs this action. */
function exampleInput(description: string): JsonObject {
  const example = examples.find(e => e.description === description);
  if (!example) throw new Error(`No example "${description}"`);
  const { steps } = parse(example.example);
  expect(steps).toHaveLength(1);
  expect(steps[0].action).toBe('mesh-security:access:revoke');
  return steps[0].input;
}

/** Runs an example on payments-api's policy file `before`. */
async function run(description: string, before: string) {
  const harness = setup(server, { files: { [PAYMENTS_PATH]: before } });
  const ctx = harness.context(exampleInput(description));
  await createAccessRevokeAction(harness.deps).handler(ctx);
  const out = harness.outputs(ctx);
  const after = harness.github.file(String(out.branch), PAYMENTS_PATH) ?? '';
  return { ...harness, out, after };
}

const matrix = (text: string) =>
  accessMatrix(
    { name: 'payments-api', namespace: 'payments' },
    text,
    requestsFor(
      ['storefront/checkout', 'payments/fraud-check'],
      [8080, 9090],
      ['GET', 'POST'],
      ['/status', '/health', '/charge', '/refund'],
    ),
  );

describe('mesh-security:access:revoke examples', () => {
  it('documents exactly the examples run below', () => {
    expect(examples.map(e => e.description)).toEqual([WHOLE, STATUS]);
  });

  it("removes checkout's access to payments-api through a pull request", async () => {
    const before = fixture('istio-payments.before.yaml');
    const { github, out, after } = await run(WHOLE, before);
    expect(out).toMatchObject({
      changed: true,
      pullRequestNumber: 1,
      pullRequestUrl: 'https://github.com/acme/gitops/pull/1',
      policyPath: PAYMENTS_PATH,
    });
    expect(out.branch).toMatch(/^mesh-security\/revoke\/payments-api-/);
    expect(changedDecisions(matrix(before), matrix(after))).toEqual([
      'storefront/checkout 8080 POST /charge: ALLOW → DENY',
    ]);
    expect(github.pulls).toHaveLength(1);
    expect(github.pulls[0].head.ref).toBe(out.branch);
    expect(github.pulls[0].body).toContain(
      '> Checkout now charges through the payments gateway.',
    );
  });

  it('removes only GET /status of checkout where it shares a rule with another caller', async () => {
    // The demo file grants checkout POST /charge only; this one also GET /status and /health,
    // in a rule shared with fraud-check.
    const before = fixture('istio-payments-shared.yaml');
    const { github, out, after } = await run(STATUS, before);
    expect(out).toMatchObject({
      changed: true,
      pullRequestNumber: 1,
      policyPath: PAYMENTS_PATH,
    });
    expect(changedDecisions(matrix(before), matrix(after))).toEqual([
      // 9090 bypasses the sidecar in the demo (excludeInboundPorts): no policy decides it.
      'storefront/checkout 8080 GET /status: ALLOW → DENY',
    ]);
    expect(out.removed).toEqual([
      expect.stringMatching(/^storefront\/checkout: GET \/status /),
    ]);
    expect(github.pulls).toHaveLength(1);
    expect(github.pulls[0].head.ref).toBe(out.branch);
  });

  it('changes nothing on the demo file, where checkout has no GET /status to remove', async () => {
    const { github, out } = await run(
      STATUS,
      fixture('istio-payments.before.yaml'),
    );
    expect(out.changed).toBe(false);
    expect(github.pulls).toHaveLength(0);
  });
});
