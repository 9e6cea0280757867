import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { fixture, PAYMENTS_PATH, setup } from '../__testUtils__/harness';
import { createAccessRequestAction } from './accessRequest';

/*
 * payments-api's namespace is default-deny (NetworkPolicy payments/default-deny-all) and only
 * checkout is let in (payments-api-allow-checkout): a mesh grant for anyone else does not work
 * until a NetworkPolicy allows it, and the pull request says so.
 */

const server = setupServer();
registerMswTestHooks(server);

const status = {
  target: 'component:default/payments-api',
  ports: [8080],
  methods: ['GET'],
  paths: ['/status'],
  justification: 'The storefront shows whether payments are up.',
};
const BLOCKED =
  'NetworkPolicy payments/default-deny-all, NetworkPolicy payments/payments-api-allow-checkout';

describe('mesh-security:access:request and NetworkPolicies', () => {
  it('warns in the pull request when a NetworkPolicy still blocks the granted caller', async () => {
    const { github, deps, context, outputs } = setup(server);
    const ctx = context({
      ...status,
      callers: ['component:default/storefront-web'],
    });
    await createAccessRequestAction(deps).handler(ctx);
    const out = outputs(ctx);
    expect(out.changed).toBe(true);
    const warning = `storefront/storefront-web GET /status → payments/payments-api port 8080: the mesh allows it, but ${BLOCKED} blocks the connection (deciding layer: network-policy). The request will not work until a NetworkPolicy allows it.`;
    expect(out.warnings).toEqual([warning]);
    expect(out.message).toBe(
      'Opened pull request https://github.com/acme/gitops/pull/1; warning: a NetworkPolicy still blocks 1 of the requested request(s) (see warnings)',
    );
    const body = github.pulls[0].body;
    expect(body).toContain(`> [!WARNING]`);
    expect(body).toContain(`> - ${warning}`);
    expect(body).toContain(
      `| \`storefront/storefront-web GET /status: DENY → ALLOW\` | \`storefront/storefront-web: ${BLOCKED}\` |`,
    );
  });

  it('adds no warning for a caller a NetworkPolicy lets in', async () => {
    const { github, deps, context, outputs } = setup(server);
    const ctx = context({ ...status, callers: ['component:default/checkout'] });
    await createAccessRequestAction(deps).handler(ctx);
    expect(outputs(ctx).warnings).toBeUndefined();
    expect(github.pulls[0].body).not.toContain('[!WARNING]');
    expect(github.pulls[0].body).toContain(
      '| `storefront/checkout GET /status: DENY → ALLOW` | — |',
    );
  });

  it('says so when the mesh already allows the request but a NetworkPolicy blocks it', async () => {
    const { github, deps, context, outputs } = setup(server, {
      files: { [PAYMENTS_PATH]: fixture('istio-payments-shared.yaml') },
    });
    const ctx = context({
      ...status,
      callers: ['cluster.local/ns/payments/sa/fraud-check'],
    });
    await createAccessRequestAction(deps).handler(ctx);
    expect(outputs(ctx)).toMatchObject({
      changed: false,
      message:
        'No change: the requested access is already allowed by the mesh, but a NetworkPolicy blocks it (1 request(s), see warnings)',
      warnings: [
        `payments/fraud-check GET /status → payments/payments-api port 8080: the mesh allows it, but ${BLOCKED} blocks the connection (deciding layer: network-policy). The request will not work until a NetworkPolicy allows it.`,
      ],
    });
    expect(github.pulls).toHaveLength(0);
  });
});
