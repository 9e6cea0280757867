import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  githubPull,
  githubPullsHandler,
  GithubPullsMockState,
} from '../__testUtils__/githubPulls';
import { GithubPullRequestLister } from './GithubPullRequestLister';

const CANARY = 'ghp_canary0123456789abcdefCANARY';
const github = setupServer();
beforeAll(() => github.listen({ onUnhandledRequest: 'error' }));
afterEach(() => github.resetHandlers());
afterAll(() => github.close());

const repo = { host: 'github.com', owner: 'acme', name: 'gitops' };

function lister(
  options: { token?: string; maxPages?: number; timeoutMs?: number } = {},
) {
  const logger = mockServices.logger.mock();
  const integrations = ScmIntegrations.fromConfig(
    new ConfigReader({
      integrations: {
        github: [
          {
            host: 'github.com',
            ...('token' in options
              ? { token: options.token }
              : { token: CANARY }),
          },
          {
            host: 'ghe.example.com',
            apiBaseUrl: 'https://ghe.example.com/api/v3',
            token: CANARY,
          },
        ],
      },
    }),
  );
  return {
    logger,
    lister: new GithubPullRequestLister({
      integrations,
      logger,
      maxPages: options.maxPages,
      timeoutMs: options.timeoutMs,
    }),
  };
}

const logged = (logger: ReturnType<typeof mockServices.logger.mock>) =>
  JSON.stringify(
    [logger.info, logger.warn, logger.error, logger.debug].flatMap(
      fn => fn.mock.calls,
    ),
  );

describe('GithubPullRequestLister', () => {
  it('lists open pull requests on access-change branches, with the integration token', async () => {
    const state: GithubPullsMockState = { pages: [], authorizations: [] };
    github.use(
      githubPullsHandler({
        state,
        pulls: [
          githubPull(12, 'mesh-security/request/payments-api-0123456789ab', {
            draft: true,
            user: null,
          }),
          githubPull(11, 'renovate/yaml-2.x'),
          githubPull(10, 'mesh-security/enforce/inventory-abcdefabcdef', {
            labels: ['legacy-string-label'],
          }),
          githubPull(9, 'mesh-security/revoke/payments-api-ffffffffffff', {
            // A hostile forge answer: a script link must never reach the UI.
            // eslint-disable-next-line no-script-url
            html_url: 'javascript:alert(1)',
          }),
        ],
      }),
    );
    const { lister: l } = lister();
    const listing = await l.list(repo);
    expect(listing).toEqual({
      status: 'ok',
      fetchedAt: expect.any(String),
      truncated: false,
      pullRequests: [
        {
          number: 12,
          title: 'Mesh Security: change #12',
          url: 'https://github.com/acme/gitops/pull/12',
          branch: 'mesh-security/request/payments-api-0123456789ab',
          change: 'request',
          createdAt: '2026-11-20T10:00:00Z',
          updatedAt: '2026-11-21T10:00:00Z',
          draft: true,
          labels: ['mesh-security', 'access-change'],
        },
        expect.objectContaining({
          number: 10,
          change: 'enforce',
          author: 'mesh-security-bot',
          labels: ['legacy-string-label'],
        }),
        // A link that is not http(s) is replaced by the pull request's address on the host.
        expect.objectContaining({
          number: 9,
          change: 'revoke',
          url: 'https://github.com/acme/gitops/pull/9',
        }),
      ],
    });
    expect(state.authorizations).toEqual([`token ${CANARY}`]);
  });

  it('pages through open pull requests up to the bound, and says when it stopped early', async () => {
    const pulls = Array.from({ length: 250 }, (_, i) =>
      githubPull(
        250 - i,
        i % 2 ? 'feature/x' : `mesh-security/request/svc${i}-0123456789ab`,
      ),
    );
    const state: GithubPullsMockState = { pages: [], authorizations: [] };
    github.use(githubPullsHandler({ pulls, state }));

    const all = await lister().lister.list(repo);
    expect(state.pages).toEqual([1, 2, 3]);
    expect(all).toMatchObject({ status: 'ok', truncated: false });
    expect(all.status === 'ok' && all.pullRequests).toHaveLength(125);

    state.pages.length = 0;
    const { lister: bounded, logger } = lister({ maxPages: 2 });
    const some = await bounded.list(repo);
    expect(state.pages).toEqual([1, 2]);
    expect(some).toMatchObject({ status: 'ok', truncated: true });
    expect(some.status === 'ok' && some.pullRequests).toHaveLength(100);
    expect(logged(logger)).toContain(
      'read the newest 200 open pull requests of github.com/acme/gitops only',
    );
  });

  it('skips items and labels that are not what GitHub documents, and says so', async () => {
    github.use(
      githubPullsHandler({
        pulls: [
          githubPull(14, 'mesh-security/request/payments-api-0123456789ab', {
            labels: [null, 7, { name: null }, {}, { name: 'access-change' }],
            user: { login: 42 },
            draft: 'yes',
            html_url: null,
          }),
          null,
          'mesh-security/request/payments-api-0123456789ab',
          { number: 13 },
          githubPull(12, 'mesh-security/request/payments-api-0123456789ab', {
            head: null,
          }),
          githubPull(-1, 'mesh-security/request/payments-api-0123456789ab'),
          githubPull(10, 'mesh-security/enforce/inventory-abcdefabcdef', {
            labels: null,
          }),
        ],
      }),
    );
    const { lister: l, logger } = lister();
    const listing = await l.list(repo);
    expect(listing).toMatchObject({ status: 'ok', truncated: false });
    expect(listing.status === 'ok' && listing.pullRequests).toEqual([
      expect.objectContaining({
        number: 14,
        url: 'https://github.com/acme/gitops/pull/14',
        draft: false,
        labels: ['access-change'],
      }),
      expect.objectContaining({ number: 10, labels: [] }),
    ]);
    expect(
      listing.status === 'ok' && listing.pullRequests[0],
    ).not.toHaveProperty('author');
    expect(logger.warn).toHaveBeenCalledWith(
      "Mesh Security skipped 5 item(s) of GitHub's list of the open pull requests of github.com/acme/gitops that are not pull requests (no number or head branch)",
    );
  });

  it.each([
    [
      'text that is not JSON',
      () =>
        new HttpResponse('<html>Service maintenance</html>', {
          headers: { 'content-type': 'text/html' },
        }),
      'something other than JSON',
    ],
    [
      'a JSON body that does not parse',
      () =>
        new HttpResponse('[{"number": 1,', {
          headers: { 'content-type': 'application/json' },
        }),
      'something other than JSON',
    ],
    [
      'a JSON object instead of a list',
      () => HttpResponse.json({ message: 'not a list' }),
      'JSON that is not a list',
    ],
  ])(
    'reports an answer of %s as an error, not as no pull requests',
    async (_, answer, answered) => {
      github.use(
        http.get('https://api.github.com/repos/acme/gitops/pulls', answer),
      );
      const { lister: l, logger } = lister();
      expect(await l.list(repo)).toEqual({
        status: 'error',
        fetchedAt: expect.any(String),
        message:
          'GitHub (github.com) did not answer with a list of the pull requests of acme/gitops; try again later',
      });
      expect(logger.warn).toHaveBeenCalledWith(
        `Mesh Security could not list the pull requests of github.com/acme/gitops: GitHub answered ${answered}`,
      );
    },
  );

  it('uses the apiBaseUrl of a GitHub Enterprise host', async () => {
    github.use(
      githubPullsHandler({
        apiBase: 'https://ghe.example.com/api/v3',
        pulls: [
          githubPull(1, 'mesh-security/request/payments-api-0123456789ab'),
        ],
      }),
    );
    const listing = await lister().lister.list({
      ...repo,
      host: 'ghe.example.com',
    });
    expect(
      listing.status === 'ok' && listing.pullRequests.map(p => p.number),
    ).toEqual([1]);
  });

  const echo = {
    message: `Bad credentials: ${CANARY}`,
    documentation_url: 'https://docs.github.com/rest',
  };
  it.each([
    [
      '404',
      { status: 404, body: echo },
      'Repository acme/gitops was not found on github.com, or the configured credentials cannot see it (404)',
    ],
    [
      '401',
      { status: 401, body: echo },
      'GitHub rejected the credentials of integrations.github host github.com (401)',
    ],
    [
      '403 (primary rate limit)',
      {
        status: 403,
        body: { message: `API rate limit exceeded for ${CANARY}` },
        headers: {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 600),
        },
      },
      'GitHub rate limit reached for github.com; try again in about 10 min',
    ],
    [
      '429 (secondary rate limit)',
      { status: 429, body: echo, headers: { 'retry-after': '30' } },
      'GitHub rate limit reached for github.com; try again in about 1 min',
    ],
    [
      '403 (secondary rate limit named by the message only)',
      {
        status: 403,
        body: {
          message: `You have exceeded a secondary rate limit (${CANARY})`,
        },
      },
      'GitHub rate limit reached for github.com; try again later',
    ],
    [
      '403 (permissions)',
      { status: 403, body: echo },
      'The credentials of integrations.github host github.com may not read the pull requests of acme/gitops (403)',
    ],
    [
      '502',
      { status: 502, body: echo },
      'GitHub (github.com) answered 502 while listing the pull requests of acme/gitops',
    ],
  ])(
    'turns %s into a short message without the upstream body or the token',
    async (_what, failure, message) => {
      github.use(githubPullsHandler({ failure }));
      const { lister: l, logger } = lister();
      const listing = await l.list(repo);
      expect(listing).toEqual({
        status: 'error',
        fetchedAt: expect.any(String),
        message,
      });
      expect(JSON.stringify(listing)).not.toContain(CANARY);
      expect(logged(logger)).toContain(
        'could not list the pull requests of github.com/acme/gitops',
      );
      expect(logged(logger)).not.toContain(CANARY);
      expect(logged(logger)).not.toContain('Bad credentials');
    },
  );

  it('reports an unreachable host or a timeout as such', async () => {
    github.use(
      http.get('https://api.github.com/repos/acme/gitops/pulls', () =>
        HttpResponse.error(),
      ),
    );
    expect(await lister().lister.list(repo)).toMatchObject({
      status: 'error',
      message: 'GitHub (github.com) could not be reached; try again later',
    });

    github.use(
      http.get('https://api.github.com/repos/acme/gitops/pulls', async () => {
        await new Promise(r => setTimeout(r, 1000));
        return HttpResponse.json([]);
      }),
    );
    expect(await lister({ timeoutMs: 50 }).lister.list(repo)).toMatchObject({
      status: 'error',
      message: 'GitHub (github.com) could not be reached; try again later',
    });
  });

  it('calls nothing without a token for the host, nor for a host without integration', async () => {
    // onUnhandledRequest: 'error' would fail a request; none is expected.
    expect(await lister({ token: undefined }).lister.list(repo)).toMatchObject({
      status: 'error',
      message:
        'The integrations.github entry for github.com has no token or GitHub App installation for acme',
    });
    expect(
      await lister().lister.list({ ...repo, host: 'evil.example.com' }),
    ).toMatchObject({
      status: 'error',
      message: 'evil.example.com is not a GitHub host of integrations.github',
    });
  });
});
