import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { setupServer } from 'msw/node';
import { createAccessRequestAction } from '../actions/accessRequest';
import { impactTable } from '../analysis/impact';
import { CANARY_TOKEN, PAYMENTS_PATH, setup } from '../__testUtils__/harness';
import { createPreviewHandler, ImpactPreview } from './preview';

// msw serves GitHub and the mesh-security backend; requests to the in-process backend
// (loopback) pass through.
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const PAYMENTS = 'component:default/payments-api';
const CHECKOUT = 'component:default/checkout';

const checkoutStatus = {
  target: PAYMENTS,
  callers: [CHECKOUT],
  ports: [8080],
  methods: ['GET'],
  paths: ['/status'],
};

/** The preview route on a test backend, with the harness's GitHub and Backstage mocks. */
async function start(options: Parameters<typeof setup>[1] = {}) {
  const harness = setup(server, options);
  const plugin = createBackendPlugin({
    pluginId: 'scaffolder',
    register(env) {
      env.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
        },
        async init({ httpRouter, httpAuth }) {
          httpRouter.use(
            createPreviewHandler({
              deps: harness.deps,
              httpAuth,
              logger: harness.logger,
            }),
          );
        },
      });
    },
  });
  const { server: backend } = await startTestBackend({
    features: [
      plugin,
      mockServices.rootConfig.factory({ data: {} }),
      // No header: no credentials (the test backend's default is a user).
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
    ],
  });
  const post = (
    body: unknown,
    headers: Record<string, string> = {
      authorization: mockCredentials.user.header(),
    },
  ) =>
    fetch(
      `http://localhost:${backend.port()}/api/scaffolder/mesh-security/preview`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      },
    );
  return { ...harness, post };
}

const request = (input: JsonObject) => ({
  action: 'mesh-security:access:request',
  input,
});

describe('POST /api/scaffolder/mesh-security/preview', () => {
  it('answers the impact rows, the repository and the policy file without writing anything', async () => {
    const { post, github } = await start();
    const res = await post(request(checkoutStatus));
    expect(res.status).toBe(200);
    const preview = (await res.json()) as ImpactPreview;
    expect(preview).toMatchObject({
      status: 'ok',
      changed: true,
      repository: {
        host: 'github.com',
        owner: 'acme',
        name: 'gitops',
        url: 'https://github.com/acme/gitops',
      },
      policyPath: PAYMENTS_PATH,
      findings: [],
      warnings: [],
    });
    expect(preview.message).toMatch(/^Dry run: would open a pull request/);
    expect(preview.rows).toEqual([
      {
        port: 8080,
        before: ['storefront/checkout (POST /charge)'],
        after: ['storefront/checkout (POST /charge; GET /status)'],
        added: ['storefront/checkout (POST /charge; GET /status)'],
        removed: ['storefront/checkout (POST /charge)'],
        requested: ['storefront/checkout GET /status: DENY → ALLOW'],
        blockedByNetworkPolicy: [],
      },
    ]);
    expect(github.pulls).toHaveLength(0);
    expect(github.requests.filter(r => r.method !== 'GET')).toEqual([]);
    expect(JSON.stringify(preview)).not.toContain(CANARY_TOKEN);
  });

  it('previews exactly the impact table the pull request then shows', async () => {
    const { post, github, deps, context } = await start();
    const preview = (await (
      await post(request(checkoutStatus))
    ).json()) as ImpactPreview;
    await createAccessRequestAction(deps).handler(
      context({
        ...checkoutStatus,
        justification: 'Checkout shows the payment status page.',
      }),
    );
    expect(github.pulls).toHaveLength(1);
    expect(github.pulls[0].body).toContain(impactTable(preview.rows));
  });

  it('says when the change is already in effect, with no rows', async () => {
    const { post } = await start();
    const res = await post(
      request({ ...checkoutStatus, methods: ['POST'], paths: ['/charge'] }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'ok',
      changed: false,
      message: 'No change: the requested access is already allowed',
      rows: [],
    });
  });

  it('previews a revoke and an mTLS enforcement with their own inputs', async () => {
    const { post } = await start();
    const revoke = await post({
      action: 'mesh-security:access:revoke',
      input: { target: PAYMENTS, callers: [CHECKOUT] },
    });
    expect(revoke.status).toBe(200);
    const revoked = (await revoke.json()) as ImpactPreview;
    expect(revoked.changed).toBe(true);
    expect(revoked.rows.find(r => r.port === 8080)).toMatchObject({
      before: ['storefront/checkout (POST /charge)'],
      removed: ['storefront/checkout (POST /charge)'],
    });
    const enforce = await post({
      action: 'mesh-security:mtls:enforce',
      input: { target: PAYMENTS },
    });
    expect(enforce.status).toBe(200);
    expect(await enforce.json()).toMatchObject({ status: 'ok' });
  });

  it('warns that no repository is configured instead of failing', async () => {
    const { post, github } = await start({
      accessRequests: { repository: null, allowedRepositories: null },
    });
    const res = await post(request(checkoutStatus));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'not-configured',
      changed: false,
      message:
        'No GitOps repository: set meshSecurity.accessRequests.repository; the pull request cannot be opened and its impact is unknown',
      rows: [],
      findings: [],
      warnings: [],
    });
    expect(github.requests).toEqual([]);
  });

  it('requires user credentials (401)', async () => {
    const { post, backstageRequests } = await start();
    expect((await post(request(checkoutStatus), {})).status).toBe(401);
    expect(
      (
        await post(request(checkoutStatus), {
          authorization: mockCredentials.service.header(),
        })
      ).status,
    ).toBe(403);
    expect(backstageRequests).toEqual([]);
  });

  it('says the same about an entity the user may not read as about one that does not exist (403)', async () => {
    const missing = 'component:default/no-such-thing';
    const { post, github, backstageRequests } = await start({
      deny: [
        { permission: 'catalog.entity.read', resourceRef: PAYMENTS },
        { permission: 'catalog.entity.read', resourceRef: missing },
      ],
    });
    const denied = await post(request(checkoutStatus));
    const absent = await post(request({ ...checkoutStatus, target: missing }));
    expect(denied.status).toBe(403);
    expect(absent.status).toBe(403);
    const message = async (res: Response) =>
      ((await res.json()) as { error: { message: string } }).error.message;
    expect(await message(denied)).toBe(
      `You are not allowed to read ${PAYMENTS}, or it does not exist`,
    );
    expect(await message(absent)).toBe(
      `You are not allowed to read ${missing}, or it does not exist`,
    );
    // Nothing about the target was read: no posture, no policy file.
    expect(backstageRequests).toEqual([]);
    expect(github.requests).toEqual([]);
  });

  it('refuses a user without the access-request permission (403)', async () => {
    const { post } = await start({
      deny: [{ permission: 'mesh-security.access.request' }],
    });
    expect((await post(request(checkoutStatus))).status).toBe(403);
  });

  it.each([
    [
      'no callers',
      request({ target: PAYMENTS }),
      'invalid mesh-security:access:request input: callers: Required',
    ],
    [
      'an unknown action',
      { action: 'fetch:plain', input: {} },
      'invalid preview request: action: must be one of mesh-security:access:request, mesh-security:access:revoke, mesh-security:mtls:enforce',
    ],
    [
      'an unknown input key',
      request({ ...checkoutStatus, extra: 1 }),
      "invalid mesh-security:access:request input: Unrecognized key(s) in object: 'extra'",
    ],
    [
      'a port out of range',
      request({ ...checkoutStatus, ports: [70000] }),
      'invalid mesh-security:access:request input: ports.0:',
    ],
    [
      'a body that is not JSON',
      '{',
      'invalid preview request: the body is not JSON',
    ],
    [
      'a body over 16 kB',
      request({ ...checkoutStatus, paths: ['/a'.repeat(9000)] }),
      'invalid preview request: the body is larger than 16384 bytes',
    ],
  ])('refuses %s with a clear message (400)', async (_, body, message) => {
    const { post, github } = await start();
    const res = await post(body);
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { error: { message: string } };
    expect(answer.error.message).toContain(message);
    expect(github.requests).toEqual([]);
  });

  it("answers the action's refusal of a change that would not grant the request (400)", async () => {
    const { post, github } = await start();
    const res = await post(
      request({ ...checkoutStatus, paths: ['/admin/users'] }),
    );
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { error: { message: string } };
    expect(answer.error.message).toMatch(
      /^The change would not grant the requested access; the mesh would still refuse storefront\/checkout GET \/admin\/users on port 8080: AuthorizationPolicy payments\/payments-api-deny-admin/,
    );
    expect(github.requests.filter(r => r.method !== 'GET')).toEqual([]);
  });

  it('leaves other paths of the scaffolder alone', async () => {
    const { post } = await start();
    const res = await fetch(
      (
        await post(request(checkoutStatus))
      ).url.replace('/mesh-security/preview', '/v2/templates'),
      { headers: { authorization: mockCredentials.user.header() } },
    );
    expect(res.status).toBe(404);
  });
});
