import { KUBERNETES_ANNOTATION } from '@backstage/plugin-kubernetes-common';
import {
  accessChangeTargetMarker,
  GITOPS_REPO_ANNOTATION,
} from '@mesh-security/plugin-mesh-security-common';
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
import { Denial, permissionsDenying } from './__testUtils__/permissions';
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
  component('checkout'),
  component('etl-worker', { [GITOPS_REPO_ANNOTATION]: 'github.com/acme/data' }),
];

const PAYMENTS = 'component:default/payments-api';
const CHECKOUT = 'component:default/checkout';
const ETL = 'component:default/etl-worker';

const configured = {
  repository: 'github.com/acme/gitops',
  allowedRepositories: ['acme/gitops', 'acme/data'],
};

/** A pull request the actions opened: target markers and `Requested by` lines. */
const accessChange = (
  number: number,
  branch: string,
  targets: string[],
  createdAt: string,
  requester = 'user:default/jane',
) =>
  githubPull(number, branch, {
    created_at: createdAt,
    html_url: `https://github.com/acme/x/pull/${number}`,
    body: [
      ...targets.map(accessChangeTargetMarker),
      `- **Requested by:** \`${requester}\``,
      '> - **Requested by:** `user:default/forged` (quoted user text)',
    ].join('\n'),
  });

async function start(
  options: { accessRequests?: object; deny?: Denial[] } = {},
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
  const get = (url: string, auth = mockCredentials.user.header()) => {
    const req = request(server).get(`/api/mesh-security${url}`);
    return auth ? req.set('authorization', auth) : req;
  };
  const logged = () =>
    JSON.stringify(
      [logger.info, logger.warn, logger.error, logger.debug].flatMap(
        fn => fn.mock.calls,
      ),
    );
  return { get, logged };
}

/** 150 open pull requests in acme/gitops, the access changes among them on both pages. */
function gitopsPulls() {
  const noise = Array.from({ length: 147 }, (_, i) =>
    githubPull(1000 + i, `feature/${i}`),
  );
  return [
    accessChange(
      7,
      'mesh-security/request/payments-api-0123456789ab',
      [PAYMENTS],
      '2026-11-20T10:00:00Z',
    ),
    ...noise.slice(0, 100),
    accessChange(
      5,
      'mesh-security/request/payments-api-abcdefabcdef',
      [PAYMENTS, CHECKOUT],
      '2026-11-18T10:00:00Z',
      'user:default/omar',
    ),
    accessChange(
      4,
      'mesh-security/revoke/checkout-abcdefabcdef',
      [CHECKOUT],
      '2026-11-19T10:00:00Z',
    ),
    ...noise.slice(100),
  ];
}

describe('GET /pull-requests', () => {
  jest.setTimeout(30_000);

  it('lists the access changes of every repository, every page, oldest first, cached', async () => {
    const gitops: GithubPullsMockState = { pages: [], authorizations: [] };
    const data: GithubPullsMockState = { pages: [], authorizations: [] };
    github.use(
      githubPullsHandler({ state: gitops, pulls: gitopsPulls() }),
      githubPullsHandler({
        state: data,
        repo: 'data',
        pulls: [
          accessChange(
            2,
            'mesh-security/enforce/etl-worker-0123456789ab',
            [ETL],
            '2026-11-21T10:00:00Z',
          ),
        ],
      }),
    );
    const { get, logged } = await start({ accessRequests: configured });
    const res = await get('/pull-requests');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      failures: [],
      truncated: false,
    });
    expect(
      res.body.pullRequests.map((p: any) => ({
        number: p.number,
        repository: p.repository.url,
        components: p.components,
        requesters: p.requesters,
        change: p.change,
      })),
    ).toEqual([
      {
        number: 5,
        repository: 'https://github.com/acme/gitops',
        components: [PAYMENTS, CHECKOUT],
        requesters: ['user:default/omar'],
        change: 'request',
      },
      {
        number: 4,
        repository: 'https://github.com/acme/gitops',
        components: [CHECKOUT],
        requesters: ['user:default/jane'],
        change: 'revoke',
      },
      {
        number: 7,
        repository: 'https://github.com/acme/gitops',
        components: [PAYMENTS],
        requesters: ['user:default/jane'],
        change: 'request',
      },
      {
        number: 2,
        repository: 'https://github.com/acme/data',
        components: [ETL],
        requesters: ['user:default/jane'],
        change: 'enforce',
      },
    ]);
    expect(gitops.pages).toEqual([1, 2]);
    expect(data.pages).toEqual([1]);
    // The listing is the per-entity route's: cached, so neither route calls GitHub again.
    await get('/pull-requests');
    await get('/entity/component/default/payments-api/pull-requests');
    expect(gitops.pages).toEqual([1, 2]);
    expect(JSON.stringify(res.body)).not.toContain(CANARY);
    expect(logged()).not.toContain(CANARY);
  });

  it('keeps only the pull requests about components the caller may read, naming only those', async () => {
    github.use(githubPullsHandler({ pulls: gitopsPulls() }));
    const { get } = await start({
      accessRequests: configured,
      deny: [
        { permission: 'mesh-security.entity.read', resourceRef: CHECKOUT },
      ],
    });
    const res = await get('/pull-requests');
    expect(res.status).toBe(200);
    expect(
      res.body.pullRequests.map((p: any) => [p.number, p.components]),
    ).toEqual([
      [5, [PAYMENTS]],
      [7, [PAYMENTS]],
    ]);
    expect(JSON.stringify(res.body)).not.toContain('checkout-abcdef');
  });

  it('degrades to a flagged partial list when GitHub fails for one repository', async () => {
    github.use(
      githubPullsHandler({ pulls: gitopsPulls() }),
      githubPullsHandler({
        repo: 'data',
        failure: {
          status: 500,
          body: { message: 'boom', stack: 'Error: boom\n    at secret.js:1' },
        },
      }),
    );
    const { get } = await start({ accessRequests: configured });
    const res = await get('/pull-requests');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('partial');
    expect(res.body.failures).toEqual([
      {
        repository: {
          host: 'github.com',
          owner: 'acme',
          name: 'data',
          url: 'https://github.com/acme/data',
        },
        message:
          'GitHub (github.com) answered 500 while listing the pull requests of acme/data',
      },
    ]);
    expect(res.body.pullRequests.map((p: any) => p.number)).toEqual([5, 4, 7]);
    expect(JSON.stringify(res.body)).not.toMatch(/stack|secret\.js|boom/);
  });

  it('flags a repository with more open pull requests than are read', async () => {
    const pulls = Array.from({ length: 501 }, (_, i) =>
      githubPull(i + 1, `feature/${i}`),
    );
    github.use(
      githubPullsHandler({ pulls }),
      githubPullsHandler({ repo: 'data', pulls: [] }),
    );
    const { get } = await start({ accessRequests: configured });
    const res = await get('/pull-requests');
    expect(res.body).toMatchObject({
      status: 'ok',
      truncated: true,
      pullRequests: [],
    });
  });

  it('answers not-configured, calling nothing, when no repository is configured', async () => {
    const state: GithubPullsMockState = { pages: [], authorizations: [] };
    github.use(githubPullsHandler({ state, pulls: [] }));
    const { get } = await start();
    const res = await get('/pull-requests');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'not-configured',
      message: expect.stringContaining(
        'set meshSecurity.accessRequests.repository',
      ),
      pullRequests: [],
      failures: [],
      truncated: false,
    });
    expect(state.pages).toEqual([]);
  });

  it('requires credentials and the overview permission, and refuses unknown query keys', async () => {
    const state: GithubPullsMockState = { pages: [], authorizations: [] };
    github.use(githubPullsHandler({ state, pulls: gitopsPulls() }));
    const denied = await start({
      accessRequests: configured,
      deny: ['mesh-security.overview.read'],
    });
    expect((await denied.get('/pull-requests')).status).toBe(403);
    expect(
      (await denied.get('/pull-requests', mockCredentials.user.invalidHeader()))
        .status,
    ).toBe(401);
    const allowed = await start({ accessRequests: configured });
    const bad = await allowed.get('/pull-requests?owner=x');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe(
      "invalid pull requests query: Unrecognized key(s) in object: 'owner'",
    );
    expect(state.pages).toEqual([]);
  });
});
