import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { setupServer } from 'msw/node';
import {
  accessChangeTargetMarker,
  GITOPS_REPO_ANNOTATION,
  GitopsRepositorySettings,
} from '@mesh-security/plugin-mesh-security-common';
import {
  githubPull,
  githubPullsHandler,
  GithubPullsMockState,
} from '../__testUtils__/githubPulls';
import { GithubPullRequestLister } from './GithubPullRequestLister';
import { PullRequestService } from './PullRequestService';

const github = setupServer();
beforeAll(() => github.listen({ onUnhandledRequest: 'error' }));
afterEach(() => github.resetHandlers());
afterAll(() => github.close());

const component = (name: string, repo?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    ...(repo ? { annotations: { [GITOPS_REPO_ANNOTATION]: repo } } : {}),
  },
});

function service(
  settings: GitopsRepositorySettings = { repository: 'github.com/acme/gitops' },
  ttl: { ttlMs?: number; errorTtlMs?: number } = {},
) {
  const integrations = ScmIntegrations.fromConfig(
    new ConfigReader({
      integrations: { github: [{ host: 'github.com', token: 'secret' }] },
    }),
  );
  const logger = mockServices.logger.mock();
  const cache = CacheManager.fromConfig(
    mockServices.rootConfig({
      data: { backend: { cache: { store: 'memory' } } },
    }),
  ).forPlugin('mesh-security');
  return new PullRequestService({
    settings,
    integrations,
    cache,
    logger,
    lister: new GithubPullRequestLister({ integrations, logger }),
    ...ttl,
  });
}

const pulls = [
  githubPull(7, 'mesh-security/request/payments-api-0123456789ab'),
  githubPull(6, 'mesh-security/revoke/payments-ledger-0123456789ab'),
  githubPull(5, 'mesh-security/enforce/payments-api-abcdefabcdef'),
];

describe('PullRequestService', () => {
  it("answers each component's own pull requests from one listing of the repository", async () => {
    const state: GithubPullsMockState = { pages: [], authorizations: [] };
    github.use(githubPullsHandler({ pulls, state }));
    const s = service();

    const api = await s.entityPullRequests(component('payments-api'));
    expect(api).toMatchObject({
      status: 'ok',
      repository: {
        host: 'github.com',
        owner: 'acme',
        name: 'gitops',
        url: 'https://github.com/acme/gitops',
      },
      truncated: false,
      fetchedAt: expect.any(String),
    });
    expect(api.pullRequests.map(p => [p.number, p.change])).toEqual([
      [7, 'request'],
      [5, 'enforce'],
    ]);

    const ledger = await s.entityPullRequests(component('payments-ledger'));
    expect(ledger.pullRequests.map(p => p.number)).toEqual([6]);
    const none = await s.entityPullRequests(component('inventory'));
    expect(none).toMatchObject({ status: 'ok', pullRequests: [] });

    // Three components, one GitHub request: the listing is cached per repository.
    expect(state.pages).toEqual([1]);
  });

  it('ties a pull request to components by the target markers of its description when it has them', async () => {
    const marker = accessChangeTargetMarker;
    const state: GithubPullsMockState = { pages: [], authorizations: [] };
    github.use(
      githubPullsHandler({
        state,
        pulls: [
          // Joined by a second component's request (its branch names only the first).
          githubPull(9, 'mesh-security/request/payments-api-0123456789ab', {
            body: `${marker('component:default/payments-api')}\n### a\n${marker(
              'component:default/payments-ledger',
            )}\n### b`,
          }),
          // Same name, another namespace: not default/payments-api's.
          githubPull(8, 'mesh-security/request/payments-api-abcdef012345', {
            body: marker('component:finance/payments-api'),
          }),
          // A marker inside quoted text would be escaped by the action; a forged one in a
          // branch-less pull request is ignored (not an access-change branch).
          githubPull(4, 'feature/x', {
            body: marker('component:default/payments-api'),
          }),
        ],
      }),
    );
    const s = service();
    expect(
      (await s.entityPullRequests(component('payments-api'))).pullRequests.map(
        p => p.number,
      ),
    ).toEqual([9]);
    const ledger = await s.entityPullRequests(component('payments-ledger'));
    expect(ledger.pullRequests.map(p => [p.number, p.targets])).toEqual([
      [
        9,
        ['component:default/payments-api', 'component:default/payments-ledger'],
      ],
    ]);
  });

  it('shares one request between concurrent views and lists again after the TTL', async () => {
    const state: GithubPullsMockState = { pages: [], authorizations: [] };
    github.use(githubPullsHandler({ pulls, state }));
    const s = service(undefined, { ttlMs: 100 });
    await Promise.all(
      Array.from({ length: 5 }, () =>
        s.entityPullRequests(component('payments-api')),
      ),
    );
    expect(state.pages).toEqual([1]);
    await new Promise(r => setTimeout(r, 150));
    await s.entityPullRequests(component('payments-api'));
    expect(state.pages).toEqual([1, 1]);
  });

  it('remembers a failure for a while, so a rate-limited forge is not asked on every view', async () => {
    const state: GithubPullsMockState = { pages: [], authorizations: [] };
    github.use(githubPullsHandler({ state, failure: { status: 401 } }));
    const s = service();
    const first = await s.entityPullRequests(component('payments-api'));
    const second = await s.entityPullRequests(component('payments-api'));
    expect(first).toEqual({
      status: 'error',
      message:
        'GitHub rejected the credentials of integrations.github host github.com (401)',
      repository: expect.objectContaining({ owner: 'acme' }),
      pullRequests: [],
      fetchedAt: expect.any(String),
    });
    expect(second).toEqual(first);
    expect(state.pages).toEqual([1]);
  });

  it('calls no forge when the repository is missing, refused or not on GitHub', async () => {
    // onUnhandledRequest: 'error' fails any request to GitHub.
    expect(
      await service({}).entityPullRequests(component('payments-api')),
    ).toMatchObject({
      status: 'not-configured',
      pullRequests: [],
    });
    expect(
      await service({
        repository: 'github.com/acme/gitops',
        allowedRepositories: ['acme/gitops'],
      }).entityPullRequests(
        component('payments-api', 'github.com/someone/else'),
      ),
    ).toMatchObject({
      status: 'not-configured',
      repository: { owner: 'someone', name: 'else' },
    });
    // Without allowedRepositories only the configured repository is read: an annotation
    // cannot point the backend at another one.
    expect(
      await service().entityPullRequests(
        component('payments-api', 'github.com/someone/else'),
      ),
    ).toMatchObject({
      status: 'not-configured',
      repository: { owner: 'someone', name: 'else' },
      message:
        'github.com/someone/else is not meshSecurity.accessRequests.repository, the only repository allowed while meshSecurity.accessRequests.allowedRepositories is not set',
    });
    expect(
      await service().entityPullRequests(
        component('payments-api', 'gitlab.com/acme/gitops'),
      ),
    ).toMatchObject({
      status: 'unsupported-host',
      repository: { host: 'gitlab.com', url: 'https://gitlab.com/acme/gitops' },
      message:
        'gitlab.com is a GitLab host; listing merge requests is not supported yet',
    });
  });
});
