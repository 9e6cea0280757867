import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  POLICY_PATH_ANNOTATION,
  policyFileMarker,
} from '@mesh-security/plugin-mesh-security-common';
import { createAccessRequestAction } from '../actions/accessRequest';
import { readAccessRequestsConfig } from '../config';
import { MeshSecurityClient } from '@mesh-security/plugin-mesh-security-common';
import { EntityReader } from '../service/EntityReader';
import { backstageHandlers, demoCatalog } from '../__testUtils__/demoEstate';
import { fixture, PAYMENTS_PATH } from '../__testUtils__/harness';

const server = setupServer();
registerMswTestHooks(server);

const ROOT = 'https://gitlab.com/api/v4';
const API = `${ROOT}/projects/acme%2Fgitops`;
const TOKEN = 'glpat-canary-0123456789';
/** The token's user, the author of the merge requests the actions open. */
const BOT = 'mesh-security-bot';
const PROJECT_ID = 1;

/** A one-project GitLab: branches of files, commits with last_commit_id checks, merge requests. */
function gitlabMock(files: Record<string, string>) {
  const branches = new Map([['main', new Map(Object.entries(files))]]);
  const commits = new Map<string, number>(); // path@branch → version
  const mrs: Array<{
    iid: number;
    web_url: string;
    description: string;
    source_branch: string;
    labels: string;
    author: { username: string };
    source_project_id: number;
    target_project_id: number;
  }> = [];
  const tokens: string[] = [];
  const version = (b: string, p: string) => `v${commits.get(`${p}@${b}`) ?? 0}`;
  server.use(
    http.all(`${API}/*`, ({ request }) => {
      tokens.push(request.headers.get('private-token') ?? '');
      return undefined;
    }),
    http.get(`${API}/repository/branches/:branch`, ({ params }) =>
      branches.has(String(params.branch))
        ? HttpResponse.json({ name: params.branch })
        : HttpResponse.json({}, { status: 404 }),
    ),
    http.get(`${API}/repository/files/:path`, ({ params, request }) => {
      const ref = new URL(request.url).searchParams.get('ref')!;
      const content = branches.get(ref)?.get(String(params.path));
      return content === undefined
        ? HttpResponse.json({}, { status: 404 })
        : HttpResponse.json({
            content: Buffer.from(content).toString('base64'),
            last_commit_id: version(ref, String(params.path)),
          });
    }),
    http.post(`${API}/repository/commits`, async ({ request }) => {
      const body = (await request.json()) as {
        branch: string;
        start_branch?: string;
        actions: Array<{
          file_path: string;
          content: string;
          last_commit_id?: string;
        }>;
      };
      if (!branches.has(body.branch))
        branches.set(
          body.branch,
          new Map(branches.get(body.start_branch ?? 'main')),
        );
      for (const a of body.actions) {
        if (
          a.last_commit_id &&
          a.last_commit_id !== version(body.branch, a.file_path)
        )
          return HttpResponse.json({ message: 'changed' }, { status: 400 });
        branches.get(body.branch)!.set(a.file_path, a.content);
        commits.set(
          `${a.file_path}@${body.branch}`,
          (commits.get(`${a.file_path}@${body.branch}`) ?? 0) + 1,
        );
      }
      return HttpResponse.json({ id: 'c1' }, { status: 201 });
    }),
    http.get(`${ROOT}/user`, ({ request }) =>
      request.headers.get('private-token') === TOKEN
        ? HttpResponse.json({ username: BOT })
        : HttpResponse.json({ message: '401 Unauthorized' }, { status: 401 }),
    ),
    // "List project merge requests": newest first, `per_page` a page, `x-next-page` empty on
    // the last one.
    http.get(`${API}/merge_requests`, ({ request }) => {
      const params = new URL(request.url).searchParams;
      const perPage = Number(params.get('per_page') ?? 20);
      const page = Number(params.get('page') ?? 1);
      const open = [...mrs].reverse();
      return HttpResponse.json(
        open.slice((page - 1) * perPage, page * perPage),
        {
          headers: {
            'x-next-page': page * perPage < open.length ? String(page + 1) : '',
          },
        },
      );
    }),
    http.post(`${API}/merge_requests`, async ({ request }) => {
      const body = (await request.json()) as {
        source_branch: string;
        description: string;
        labels: string;
      };
      const mr = {
        iid: mrs.length + 1,
        web_url: `https://gitlab.com/acme/gitops/-/merge_requests/${
          mrs.length + 1
        }`,
        ...body,
        author: { username: BOT },
        source_project_id: PROJECT_ID,
        target_project_id: PROJECT_ID,
      };
      mrs.push(mr);
      return HttpResponse.json(mr, { status: 201 });
    }),
    http.get(`${API}/merge_requests/:iid`, ({ params }) =>
      HttpResponse.json(mrs[Number(params.iid) - 1]),
    ),
    http.put(`${API}/merge_requests/:iid`, async ({ request, params }) => {
      mrs[Number(params.iid) - 1].description = (
        (await request.json()) as { description: string }
      ).description;
      return HttpResponse.json(mrs[Number(params.iid) - 1]);
    }),
  );
  return { branches, mrs, tokens };
}

function deps() {
  const config = new ConfigReader({
    integrations: { gitlab: [{ host: 'gitlab.com', token: TOKEN }] },
    meshSecurity: {
      accessRequests: {
        repository: 'gitlab.com/acme/gitops',
        allowedRepositories: ['acme/gitops'],
        baseBranch: 'main',
        labels: ['mesh-security'],
      },
    },
  });
  server.use(...backstageHandlers('http://backstage.test'));
  return {
    config: readAccessRequestsConfig(config),
    integrations: ScmIntegrations.fromConfig(config),
    client: new EntityReader({
      meshSecurity: new MeshSecurityClient({
        discoveryApi: mockServices.discovery.mock({
          getBaseUrl: async id => `http://backstage.test/api/${id}`,
        }),
      }),
      catalog: demoCatalog({
        'payments-api': { [POLICY_PATH_ANNOTATION]: PAYMENTS_PATH },
      }),
      auth: mockServices.auth(),
    }),
    permissions: mockServices.permissions.mock({
      authorize: async r => r.map(() => ({ result: AuthorizeResult.ALLOW })),
    }),
  };
}

const input = (paths: string[]) => ({
  target: 'component:default/payments-api',
  callers: ['component:default/checkout'],
  ports: [8080],
  methods: ['GET'],
  paths,
  justification: 'Checkout shows the payment status page.',
});

const BACKDOOR = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-everyone
  namespace: payments
spec:
  rules:
    - {}
`;

describe('GitlabMergeRequestPublisher (behind PullRequestPublisher)', () => {
  it('opens a merge request, then joins it with a second request for the same file', async () => {
    const gitlab = gitlabMock({
      [PAYMENTS_PATH]: fixture('istio-payments.before.yaml'),
    });
    const action = createAccessRequestAction(deps());
    const first = createMockActionContext<never>({
      input: input(['/status']) as never,
      user: { ref: 'user:default/jane' },
    });
    await action.handler(first);
    await action.handler(
      createMockActionContext<never>({
        input: input(['/receipt']) as never,
        user: { ref: 'user:default/joe' },
      }),
    );

    expect(first.output).toHaveBeenCalledWith(
      'pullRequestUrl',
      'https://gitlab.com/acme/gitops/-/merge_requests/1',
    );
    expect(gitlab.mrs).toHaveLength(1);
    expect(gitlab.mrs[0].labels).toBe('mesh-security');
    expect(gitlab.mrs[0].description).toContain('`user:default/joe`');
    const content = gitlab.branches
      .get(gitlab.mrs[0].source_branch)!
      .get(PAYMENTS_PATH)!;
    expect(content).toContain('"/status"');
    expect(content).toContain('"/receipt"');
    expect(gitlab.tokens.every(t => t === TOKEN)).toBe(true);
    expect(gitlab.mrs[0].description).not.toContain(TOKEN);
  });

  it.each([
    [
      "another user's merge request",
      { username: 'mallory' },
      PROJECT_ID,
      undefined,
    ],
    [
      "a fork's merge request, even by the token's user",
      { username: BOT },
      2,
      undefined,
    ],
    [
      "the token's user's merge request on a mesh-security/ branch of another form",
      { username: BOT },
      PROJECT_ID,
      'mesh-security/more-access',
    ],
  ])(
    'opens its own merge request instead of joining %s',
    async (_, author, sourceProject, sourceBranch: string | undefined) => {
      const gitlab = gitlabMock({
        [PAYMENTS_PATH]: fixture('istio-payments.before.yaml'),
      });
      const action = createAccessRequestAction(deps());
      // The branch the change would use, as a dry run names it.
      const dryRun = createMockActionContext<never>({
        input: input(['/status']) as never,
        user: { ref: 'user:default/jane' },
      });
      dryRun.isDryRun = true;
      await action.handler(dryRun);
      const branch =
        sourceBranch ??
        /on (mesh-security\/\S+?)(;|$)/.exec(
          String(
            (dryRun.output as jest.Mock).mock.calls.find(
              ([name]) => name === 'message',
            )![1],
          ),
        )![1];
      if (sourceProject === PROJECT_ID)
        gitlab.branches.set(
          branch,
          new Map([...gitlab.branches.get('main')!, [PAYMENTS_PATH, BACKDOOR]]),
        );
      gitlab.mrs.push({
        iid: 1,
        web_url: 'https://gitlab.com/acme/gitops/-/merge_requests/1',
        description: policyFileMarker(PAYMENTS_PATH),
        source_branch: branch,
        labels: '',
        author,
        source_project_id: sourceProject,
        target_project_id: PROJECT_ID,
      });
      await action.handler(
        createMockActionContext<never>({
          input: input(['/status']) as never,
          user: { ref: 'user:default/jane' },
        }),
      );

      expect(gitlab.mrs).toHaveLength(2);
      expect(gitlab.mrs[0].description).not.toContain('### allow');
      const mine = gitlab.mrs[1];
      expect(mine.author.username).toBe(BOT);
      const content = gitlab.branches
        .get(mine.source_branch)!
        .get(PAYMENTS_PATH)!;
      expect(content).toContain('"/status"');
      expect(content).not.toContain('allow-everyone');
    },
  );

  it('joins its own merge request on the second page of open merge requests', async () => {
    const gitlab = gitlabMock({
      [PAYMENTS_PATH]: fixture('istio-payments.before.yaml'),
    });
    const action = createAccessRequestAction(deps());
    await action.handler(
      createMockActionContext<never>({
        input: input(['/status']) as never,
        user: { ref: 'user:default/jane' },
      }),
    );
    for (let i = 2; i <= 150; i++)
      gitlab.mrs.push({
        iid: i,
        web_url: `https://gitlab.com/acme/gitops/-/merge_requests/${i}`,
        description: 'Update a dependency',
        source_branch: `renovate/dependency-${i}`,
        labels: '',
        author: { username: 'renovate-bot' },
        source_project_id: PROJECT_ID,
        target_project_id: PROJECT_ID,
      });
    await action.handler(
      createMockActionContext<never>({
        input: input(['/receipt']) as never,
        user: { ref: 'user:default/joe' },
      }),
    );
    expect(gitlab.mrs).toHaveLength(150);
    expect(gitlab.mrs[0].description).toContain('`user:default/joe`');
  });
});
