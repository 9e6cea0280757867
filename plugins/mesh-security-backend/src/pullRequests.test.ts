import { KUBERNETES_ANNOTATION } from '@backstage/plugin-kubernetes-common';
import { GITOPS_REPO_ANNOTATION } from '@mesh-security/plugin-mesh-security-common';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { setupServer } from 'msw/node';
import request from 'supertest';
import {
  githubPull,
  githubPullsHandler,
  GithubPullsMockState,
} from './__testUtils__/githubPulls';
import { permissionsDenying } from './__testUtils__/permissions';
import meshSecurityPlugin from './index';
import { destroyDatabaseOnStop } from './__testUtils__/destroyDatabaseOnStop';

const CANARY = 'ghp_canaryTokenNeverShown0123456789';

// msw serves GitHub; requests to the in-process backend (loopback) pass through.
const github = setupServer();
beforeAll(() => github.listen({ onUnhandledRequest: 'bypass' }));
afterEach(() => github.resetHandlers());
afterAll(() => github.close());

const component = (name: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: { [KUBERNETES_ANNOTATION]: name, ...annotations },
  },
  spec: { owner: 'payments-team', type: 'service', lifecycle: 'production' },
});
const entities = [
  component('payments-api'),
  component('elsewhere', {
    [GITOPS_REPO_ANNOTATION]: 'github.com/someone/else',
  }),
  component('internal', {
    [GITOPS_REPO_ANNOTATION]: 'internal.example.com/acme/gitops',
  }),
];

async function start(
  options: {
    accessRequests?: object;
    /** Permission names to deny; all others are allowed. */
    deny?: string[];
  } = {},
) {
  const logger = mockServices.logger.mock();
  logger.child.mockReturnValue(logger);
  const { server } = await startTestBackend({
    features: [
      meshSecurityPlugin,
      destroyDatabaseOnStop('mesh-security'),
      logger.factory,
      catalogServiceMock.factory({ entities }),
      permissionsDenying(options.deny ?? []),
      mockServices.rootConfig.factory({
        data: {
          integrations: { github: [{ host: 'github.com', token: CANARY }] },
          meshSecurity: options.accessRequests
            ? { accessRequests: options.accessRequests }
            : {},
        },
      }),
    ],
  });
  const get = (url: string) =>
    request(server)
      .get(`/api/mesh-security${url}`)
      .set('authorization', mockCredentials.user.header());
  const logged = () =>
    JSON.stringify(
      [logger.info, logger.warn, logger.error, logger.debug].flatMap(
        fn => fn.mock.calls,
      ),
    );
  return { server, get, logged };
}

const configured = {
  repository: 'github.com/acme/gitops',
  allowedRepositories: ['acme/gitops'],
};

describe('GET /entity/:kind/:namespace/:name/pull-requests', () => {
  jest.setTimeout(30_000);

  it("lists the component's open access-change pull requests, cached per repository", async () => {
    const state: GithubPullsMockState = { pages: [], authorizations: [] };
    github.use(
      githubPullsHandler({
        state,
        pulls: [
          githubPull(3, 'mesh-security/request/payments-api-0123456789ab', {
            draft: true,
          }),
          githubPull(2, 'mesh-security/request/checkout-0123456789ab'),
          githubPull(1, 'main-fix'),
        ],
      }),
    );
    const { get, logged } = await start({ accessRequests: configured });
    const res = await get(
      '/entity/component/default/payments-api/pull-requests',
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      repository: {
        host: 'github.com',
        owner: 'acme',
        name: 'gitops',
        url: 'https://github.com/acme/gitops',
      },
      pullRequests: [
        {
          number: 3,
          title: 'Mesh Security: change #3',
          url: 'https://github.com/acme/gitops/pull/3',
          branch: 'mesh-security/request/payments-api-0123456789ab',
          change: 'request',
          author: 'mesh-security-bot',
          createdAt: '2026-11-20T10:00:00Z',
          updatedAt: '2026-11-21T10:00:00Z',
          draft: true,
          labels: ['mesh-security', 'access-change'],
        },
      ],
      truncated: false,
      fetchedAt: expect.any(String),
    });
    await get('/entity/component/default/payments-api/pull-requests');
    expect(state.pages).toEqual([1]);
    expect(state.authorizations).toEqual([`token ${CANARY}`]);
    expect(JSON.stringify(res.body)).not.toContain(CANARY);
    expect(logged()).not.toContain(CANARY);
  });

  it('answers not-configured, calling nothing, when no repository is configured (the demo app)', async () => {
    const state: GithubPullsMockState = { pages: [], authorizations: [] };
    github.use(githubPullsHandler({ state, pulls: [] }));
    const { get } = await start();
    const res = await get(
      '/entity/component/default/payments-api/pull-requests',
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'not-configured',
      message: expect.stringContaining(GITOPS_REPO_ANNOTATION),
      pullRequests: [],
    });
    expect(state.pages).toEqual([]);
  });

  it('never follows an annotation to a repository or host the configuration does not allow', async () => {
    const state: GithubPullsMockState = { pages: [], authorizations: [] };
    github.use(
      githubPullsHandler({ state, owner: 'someone', repo: 'else', pulls: [] }),
    );
    const { get } = await start({ accessRequests: configured });
    const elsewhere = await get(
      '/entity/component/default/elsewhere/pull-requests',
    );
    expect(elsewhere.body).toMatchObject({
      status: 'not-configured',
      message:
        'someone/else is not in meshSecurity.accessRequests.allowedRepositories',
    });
    const internal = await get(
      '/entity/component/default/internal/pull-requests',
    );
    expect(internal.body).toMatchObject({
      status: 'unsupported-host',
      message:
        'internal.example.com is not a GitHub host of integrations.github',
    });
    expect(state.pages).toEqual([]);
  });

  it.each([
    [
      'a rate limit',
      {
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '0' },
      },
      'GitHub rate limit reached for github.com; try again in about 1 min',
    ],
    [
      'rejected credentials',
      { status: 401 },
      'GitHub rejected the credentials of integrations.github host github.com (401)',
    ],
    [
      'a missing repository',
      { status: 404 },
      'Repository acme/gitops was not found on github.com, or the configured credentials cannot see it (404)',
    ],
  ])(
    'answers 200 with status error and a safe message on %s',
    async (_what, failure, message) => {
      github.use(
        githubPullsHandler({
          failure: { ...failure, body: { message: `token ${CANARY} says no` } },
        }),
      );
      const { get, logged } = await start({ accessRequests: configured });
      const res = await get(
        '/entity/component/default/payments-api/pull-requests',
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'error',
        message,
        pullRequests: [],
      });
      expect(JSON.stringify(res.body)).not.toContain(CANARY);
      expect(logged()).toContain(
        'could not list the pull requests of github.com/acme/gitops',
      );
      expect(logged()).not.toContain(CANARY);
    },
  );

  it('requires credentials, a readable entity and the entity permission', async () => {
    const { server, get } = await start({ accessRequests: configured });
    const anonymous = await request(server)
      .get(
        '/api/mesh-security/entity/component/default/payments-api/pull-requests',
      )
      .set('authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
    expect(
      (await get('/entity/component/default/no-such-thing/pull-requests'))
        .status,
    ).toBe(404);
    const invalid = await get(
      '/entity/component/default/bad%20name/pull-requests',
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toContain('invalid entity reference');

    const denied = await start({
      accessRequests: configured,
      deny: ['mesh-security.entity.read'],
    });
    expect(
      (await denied.get('/entity/component/default/payments-api/pull-requests'))
        .status,
    ).toBe(403);
    // The caller may not read the entity in the catalog: as if it did not exist.
    const unreadable = await start({
      accessRequests: configured,
      deny: ['catalog.entity.read'],
    });
    expect(
      (
        await unreadable.get(
          '/entity/component/default/payments-api/pull-requests',
        )
      ).status,
    ).toBe(404);
  });
});
