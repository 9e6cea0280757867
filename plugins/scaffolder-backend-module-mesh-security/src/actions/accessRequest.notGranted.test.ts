import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { setup } from '../__testUtils__/harness';
import { createAccessRequestAction } from './accessRequest';

const server = setupServer();
registerMswTestHooks(server);

/*
 * A request the change would not grant is refused with what still refuses it, rather than
 * opening a pull request whose impact reads `DENY → DENY`. In payments-api's policy file (the
 * demo's), `payments-api-deny-admin` refuses /admin/* to everyone, and DENY wins over ALLOW.
 */
describe('mesh-security:access:request the change would not grant', () => {
  /** checkout asks for GET `path` on payments-api:8080. */
  const getOn = (path: string, justification: string) => ({
    target: 'component:default/payments-api',
    callers: ['component:default/checkout'],
    ports: [8080],
    methods: ['GET'],
    paths: [path],
    justification,
  });

  it('refuses, naming the policy that still refuses it, and opens nothing', async () => {
    const { github, deps, context } = setup(server);
    const ctx = context(
      getOn('/admin/users', 'Checkout lists the admin users.'),
    );
    await expect(createAccessRequestAction(deps).handler(ctx)).rejects.toThrow(
      /would not grant the requested access; the mesh would still refuse storefront\/checkout GET \/admin\/users on port 8080: AuthorizationPolicy payments\/payments-api-deny-admin: .*no pull request was opened/,
    );
    expect(github.pulls).toHaveLength(0);
    expect([...github.branches.keys()]).toEqual(['main']);
  });

  it('still opens the pull request when the change grants it', async () => {
    const { github, deps, context } = setup(server);
    const ctx = context(getOn('/status', 'Checkout polls the API status.'));
    await createAccessRequestAction(deps).handler(ctx);
    expect(github.pulls[0].body).toContain(
      'storefront/checkout GET /status: DENY → ALLOW',
    );
  });
});
