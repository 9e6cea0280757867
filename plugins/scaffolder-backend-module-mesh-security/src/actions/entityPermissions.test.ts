import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { setupServer } from 'msw/node';
import { setup } from '../__testUtils__/harness';
import { ActionDeps } from '../service/execute';
import { createAccessRequestAction } from './accessRequest';
import { createAccessRevokeAction } from './accessRevoke';
import { createMtlsEnforceAction } from './mtlsEnforce';

const server = setupServer();
registerMswTestHooks(server);

const PAYMENTS = 'component:default/payments-api';
const CHECKOUT = 'component:default/checkout';

/** Each action with an input naming a target and, where the action takes them, callers. */
const actions: Array<
  [
    string,
    (deps: ActionDeps) => { handler(ctx: any): Promise<void> },
    JsonObject,
  ]
> = [
  [
    'mesh-security:access:request',
    createAccessRequestAction,
    {
      target: PAYMENTS,
      callers: [CHECKOUT],
      ports: [8080],
      justification: 'Checkout shows the payment status page.',
    },
  ],
  [
    'mesh-security:access:revoke',
    createAccessRevokeAction,
    {
      target: PAYMENTS,
      callers: [CHECKOUT],
      justification: 'Checkout moved to the payments gateway.',
    },
  ],
  [
    'mesh-security:mtls:enforce',
    createMtlsEnforceAction,
    {
      target: PAYMENTS,
      justification: 'All payments callers are meshed now.',
    },
  ],
];

const READS = ['catalog.entity.read', 'mesh-security.entity.read'];

describe('entity read permissions of the actions (docs/scaffolder.md "Permissions")', () => {
  describe.each(actions)('%s', (_id, create, input) => {
    it.each(
      READS.flatMap(permission =>
        [true, false].map(dryRun => [permission, dryRun] as const),
      ),
    )(
      'refuses a target whose %s is denied (dry run: %s) before reading anything about it',
      async (permission, dryRun) => {
        const { github, backstageRequests, deps, context } = setup(server, {
          deny: [{ permission, resourceRef: PAYMENTS }],
        });
        const ctx = context(input, dryRun);
        await expect(create(deps).handler(ctx)).rejects.toMatchObject({
          name: 'NotAllowedError',
          message: `You are not allowed to read ${PAYMENTS}, or it does not exist`,
        });
        expect(backstageRequests).toEqual([]);
        expect(github.requests).toEqual([]);
        expect(ctx.output).not.toHaveBeenCalled();
      },
    );
  });

  describe.each(actions.filter(([, , input]) => 'callers' in input))(
    '%s',
    (_id, create, input) => {
      it.each(READS)(
        'refuses a caller whose %s is denied, in a dry run too, without its posture or the target policy file',
        async permission => {
          const { github, backstageRequests, deps, context } = setup(server, {
            deny: [{ permission, resourceRef: CHECKOUT }],
          });
          const ctx = context(input, true);
          await expect(create(deps).handler(ctx)).rejects.toThrow(
            `You are not allowed to read ${CHECKOUT}, or it does not exist`,
          );
          expect(backstageRequests).toEqual([]);
          expect(github.requests).toEqual([]);
          expect(ctx.output).not.toHaveBeenCalled();
        },
      );
    },
  );

  it('says the same about an entity that does not exist as about one the user may not read', async () => {
    const missing = 'component:default/no-such-thing';
    const { deps, context } = setup(server, {
      deny: READS.flatMap(permission => [
        { permission, resourceRef: missing },
        { permission, resourceRef: CHECKOUT },
      ]),
    });
    const action = createAccessRequestAction(deps);
    const messageFor = (callers: string[]) =>
      action
        .handler(
          context(
            {
              target: PAYMENTS,
              callers,
              justification: 'Checkout shows the payment status page.',
            },
            true,
          ),
        )
        .then(
          () => 'allowed',
          (error: Error) => `${error.name}: ${error.message}`,
        );
    const [existing, absent] = await Promise.all([
      messageFor([CHECKOUT]),
      messageFor([missing]),
    ]);
    expect(existing).toBe(
      `NotAllowedError: You are not allowed to read ${CHECKOUT}, or it does not exist`,
    );
    expect(absent).toBe(existing.replace(CHECKOUT, missing));
  });

  it("asks once, with the user's credentials, for the request permission and every entity read", async () => {
    const { deps, context, permissions } = setup(server);
    await createAccessRequestAction(deps).handler(
      context(
        {
          target: 'payments-api',
          callers: [
            'Component:default/checkout',
            'checkout',
            'cluster.local/ns/ops/sa/auditor',
            'auditor.ops.serviceaccount.identity.linkerd.cluster.local',
          ],
          ports: [8080],
          justification: 'Checkout shows the payment status page.',
        },
        true,
      ),
    );
    expect(permissions.authorize).toHaveBeenCalledTimes(1);
    const [requests, options] = (permissions.authorize as jest.Mock).mock
      .calls[0];
    expect(
      requests.map((r: any) => [r.permission.name, r.resourceRef]),
    ).toEqual([
      ['mesh-security.access.request', undefined],
      ['catalog.entity.read', PAYMENTS],
      ['mesh-security.entity.read', PAYMENTS],
      ['catalog.entity.read', CHECKOUT],
      ['mesh-security.entity.read', CHECKOUT],
    ]);
    expect(options.credentials.principal).toMatchObject({
      type: 'user',
      userEntityRef: 'user:default/mock',
    });
  });
});
