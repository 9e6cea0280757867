import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { setup } from '../__testUtils__/harness';
import { createAccessRequestAction } from './accessRequest';

const server = setupServer();
registerMswTestHooks(server);

/** payments-ledger's policy file under the default path template. */
const LEDGER_PATH = 'clusters/demo/payments/authorization/payments-ledger.yaml';

/*
 * Where the proxy enforces AuthorizationPolicies at L4, an ALLOW rule's HTTP conditions are
 * skipped: a grant with methods or paths would let nobody in, so the action refuses it.
 *
 * payments-ledger (Istio sidecar, in the demo) serves 5432, which its Service declares
 * `tcp-postgres`, and 9187, declared `http-metrics`. The sidecar receives 5432 as TCP and
 * ignores an ALLOW rule's HTTP conditions there (docs/engine.md "Authorization Policy for TCP"):
 * a grant with methods would not let the caller in, so the action refuses it (MS216), while a
 * grant of the whole port, or methods on the HTTP port, goes through.
 */
describe('mesh-security:access:request where the proxy enforces L4 only', () => {
  const request = (
    ports: number[],
    methods?: string[],
    target = 'payments-ledger',
    caller = 'checkout',
  ) => ({
    target: `component:default/${target}`,
    callers: [`component:default/${caller}`],
    ports,
    ...(methods ? { methods } : {}),
    justification: 'Checkout reads the ledger.',
  });

  it('refuses methods on the TCP port, naming the finding and opening nothing', async () => {
    const { github, deps, context } = setup(server, { files: {} });
    const ctx = context(request([5432], ['GET']));
    await expect(createAccessRequestAction(deps).handler(ctx)).rejects.toThrow(
      /blocking findings: MS216 .*payments\/payments-ledger, whose port 5432 is declared tcp, so its proxy receives TCP: the sidecar ignores the rule there/,
    );
    expect(github.pulls).toHaveLength(0);
  });

  it('grants the whole TCP port', async () => {
    const { github, deps, context, outputs } = setup(server, { files: {} });
    const ctx = context(request([5432]));
    await createAccessRequestAction(deps).handler(ctx);

    expect(outputs(ctx)).toMatchObject({ changed: true, pullRequestNumber: 1 });
    expect(github.pulls[0].body).toContain('storefront/checkout: DENY → ALLOW');
    expect(github.pulls[0].body).not.toContain('MS216');
    expect(github.file(String(outputs(ctx).branch), LEDGER_PATH)).toContain(
      'cluster.local/ns/storefront/sa/checkout',
    );
  });

  it('grants methods on the port declared HTTP', async () => {
    const { github, deps, context, outputs } = setup(server, { files: {} });
    const ctx = context(request([9187], ['GET']));
    await createAccessRequestAction(deps).handler(ctx);

    expect(outputs(ctx)).toMatchObject({ changed: true, pullRequestNumber: 1 });
    expect(github.pulls[0].body).toContain(
      'storefront/checkout GET: DENY → ALLOW',
    );
  });

  it('refuses methods for an ambient target: ztunnel skips the rule (MS208)', async () => {
    // inventory is ambient in the demo; payments-api is not among its callers.
    const { github, deps, context } = setup(server, { files: {} });
    const ctx = context(request([8080], ['GET'], 'inventory', 'payments-api'));
    await expect(createAccessRequestAction(deps).handler(ctx)).rejects.toThrow(
      /blocking findings: MS208 .*has HTTP conditions but inventory\/inventory is ambient/,
    );
    expect(github.pulls).toHaveLength(0);
  });
});
