import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { PAYMENTS_PATH, setup } from '../__testUtils__/harness';
import { createAccessRequestAction } from './accessRequest';

const server = setupServer();
registerMswTestHooks(server);

/*
 * A request without methods or paths asks for the whole port. A caller the mesh already allows
 * some requests on that port (here checkout: POST /charge on payments-api, in the demo) is not
 * "already allowed": the action still opens a pull request, and the impact says what changes.
 */
describe('mesh-security:access:request for a whole port', () => {
  it('treats a caller allowed only some requests as not yet allowed', async () => {
    const { github, deps, context, outputs } = setup(server);
    const ctx = context({
      target: 'component:default/payments-api',
      callers: ['component:default/checkout'],
      ports: [8080],
      justification: 'Checkout needs the whole API.',
    });
    await createAccessRequestAction(deps).handler(ctx);

    expect(outputs(ctx)).toMatchObject({ changed: true, pullRequestNumber: 1 });
    const body = github.pulls[0].body;
    expect(body).toContain('storefront/checkout: only POST /charge → ALLOW');
    expect(github.file(String(outputs(ctx).branch), PAYMENTS_PATH)).toContain(
      'cluster.local/ns/storefront/sa/checkout',
    );
  });
});
