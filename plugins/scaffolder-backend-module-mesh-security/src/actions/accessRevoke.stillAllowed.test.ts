import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { fixture, PAYMENTS_PATH, setup } from '../__testUtils__/harness';
import { createAccessRevokeAction } from './accessRevoke';

const server = setupServer();
registerMswTestHooks(server);

/** A namespace-wide ALLOW for the storefront namespace: revoke does not edit such policies. */
const NAMESPACE_WIDE = `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: payments-allow-storefront
  namespace: payments
spec:
  action: ALLOW
  rules:
    - from:
        - source:
            namespaces: ["storefront"]
`;

/*
 * A revoke removes the callers from the policies selecting the target. When another policy still
 * allows what was revoked (here a namespace-wide one), the pull request is still opened — the
 * grant it removes is gone — but says, per request, what still allows it.
 */
describe('mesh-security:access:revoke when other policies still allow it', () => {
  const revoke = {
    target: 'component:default/payments-api',
    callers: ['component:default/checkout'],
    justification: 'Checkout no longer calls payments.',
  };

  it('warns in the outputs, the message and the pull request', async () => {
    const { github, deps, context, outputs } = setup(server, {
      files: {
        [PAYMENTS_PATH]: fixture('istio-payments.before.yaml') + NAMESPACE_WIDE,
      },
    });
    const ctx = context(revoke);
    await createAccessRevokeAction(deps).handler(ctx);

    const out = outputs(ctx);
    expect(out).toMatchObject({ changed: true, pullRequestNumber: 1 });
    const warnings = out.warnings as string[];
    expect(warnings.map(w => w.split(':')[0])).toEqual([
      'storefront/checkout on port 8080',
      'storefront/checkout on port 9090',
    ]);
    expect(warnings[0]).toMatch(
      /^storefront\/checkout on port 8080: AuthorizationPolicy payments\/payments-allow-storefront\. This change does not take it away\.$/,
    );
    expect(String(out.message)).toContain(
      'warning: 2 of the revoked request(s) stay allowed (see warnings)',
    );
    const body = github.pulls[0].body;
    expect(body).toContain(
      '> Some of what this change revokes stays allowed after it:',
    );
    expect(body).toContain(`> - ${warnings[0]}`);
    expect(body).toContain('`storefront/checkout: ALLOW → ALLOW`');
  });

  it('says nothing more when the revoke takes the access away', async () => {
    const { github, deps, context, outputs } = setup(server);
    const ctx = context({ ...revoke, ports: [8080] });
    await createAccessRevokeAction(deps).handler(ctx);

    expect(outputs(ctx).warnings).toBeUndefined();
    expect(String(outputs(ctx).message)).not.toContain('warning');
    expect(github.pulls[0].body).not.toContain('stays allowed');
    expect(github.pulls[0].body).toContain(
      '`storefront/checkout: only POST /charge → DENY`',
    );
  });

  it('says a port that bypasses the proxy stays open: no policy reaches it', async () => {
    // payments-api's 9090 bypasses its sidecar in the demo (excludeInboundPorts).
    const { deps, context, outputs } = setup(server);
    const ctx = context(revoke);
    await createAccessRevokeAction(deps).handler(ctx);

    expect(outputs(ctx).warnings).toEqual([
      'storefront/checkout on port 9090: port 9090 bypasses the proxy: no authorization is enforced. This change does not take it away.',
    ]);
  });
});
