import { http, HttpResponse, HttpHandler } from 'msw';
import { createHash } from 'node:crypto';

/** A request the mock received. */
export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | null;
  body: unknown;
}

/** A GitHub account: a user (token), or a GitHub App's bot (installation token). */
interface Account {
  login: string;
  type: 'User' | 'Bot';
}

interface Pull {
  number: number;
  html_url: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  user: Account;
  /** `repo: null` when the pull request came from a fork that was deleted since. */
  head: { ref: string; repo: { full_name: string } | null };
  base: { ref: string };
  labels: string[];
  reviewers: string[];
}

/** What "List pull requests" and "Get a pull request" answer for a pull request. */
const pullJson = (pull: Pull) => ({
  number: pull.number,
  html_url: pull.html_url,
  title: pull.title,
  body: pull.body,
  state: pull.state,
  user: pull.user,
  head: {
    ref: pull.head.ref,
    label: `${pull.head.repo?.full_name.split('/')[0] ?? 'unknown'}:${
      pull.head.ref
    }`,
    repo: pull.head.repo,
  },
  base: pull.base,
  labels: pull.labels.map(name => ({ name })),
});

/** The head repository of a pull request: this one, a fork, or a deleted fork (null). */
const headRepository = (own: string, fork: string | null | undefined) => {
  if (fork === undefined) return { full_name: own };
  return fork ? { full_name: fork } : null;
};

/** GitHub's 422 for a second open pull request from the same head ("Create a pull request"). */
const duplicatePull = (head: string) =>
  HttpResponse.json(
    {
      message: 'Validation Failed',
      errors: [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${head}.`,
        },
      ],
      documentation_url:
        'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
    },
    { status: 422 },
  );

/**
 * The `Link` header of a page ("Using pagination in the REST API"): `next` and `last` while
 * there are more pages, `prev` and `first` after the first.
 */
function linkHeader(url: URL, page: number, last: number): string {
  const to = (n: number, rel: string) => {
    const target = new URL(url);
    target.searchParams.set('page', String(n));
    return `<${target}>; rel="${rel}"`;
  };
  return [
    ...(page < last ? [to(page + 1, 'next'), to(last, 'last')] : []),
    ...(page > 1 ? [to(page - 1, 'prev'), to(1, 'first')] : []),
  ].join(', ');
}

/** Files above this size come without content in JSON (GitHub's "Get repository content"). */
const ONE_MEGABYTE = 1024 * 1024;

/** Whether the request asks for the raw media type (`application/vnd.github.raw`, `.raw+json`). */
const isRaw = (request: Request) =>
  /application\/vnd\.github(\.v3)?\.raw/.test(
    request.headers.get('accept') ?? '',
  );

const raw = (content: string) =>
  new HttpResponse(content, {
    headers: { 'content-type': 'application/vnd.github.raw; charset=utf-8' },
  });

/**
 * An in-memory GitHub repository behind msw: branches of files, refs, pull requests. Content
 * writes check the blob sha like GitHub does (409 when stale), so concurrency is real.
 */
export class GithubRepoMock {
  branches = new Map<string, Map<string, string>>();
  pulls: Pull[] = [];
  requests: RecordedRequest[] = [];
  /** The account of each token; other tokens are refused (401 Bad credentials). */
  accounts = new Map<string, Account>();
  /** GitHub App installed on the owner: installation tokens act as `<slug>[bot]`. */
  app?: { slug: string; installationId: number };
  /** Called before a content write is applied (to simulate a concurrent commit). */
  beforeWrite?: (branch: string, path: string) => void;
  /**
   * Responses to return instead of the normal ones, consumed in order, per `METHOD path` prefix;
   * status 0 is a connection that fails without an answer (as an unreachable host).
   */
  failures: Array<{
    match: string;
    status: number;
    headers?: Record<string, string>;
    message?: string;
  }> = [];

  constructor(
    readonly apiBase = 'https://api.github.com',
    readonly owner = 'acme',
    readonly repo = 'gitops',
    files: Record<string, string> = {},
  ) {
    this.branches.set('main', new Map(Object.entries(files)));
  }

  /** The git blob sha of a file, as GitHub reports it. */
  static sha(content: string): string {
    return createHash('sha1')
      .update(`blob ${Buffer.byteLength(content)}\0`)
      .update(content)
      .digest('hex');
  }

  /** Base64 as GitHub sends it in JSON: lines of 60 characters, each ending with a newline. */
  static base64(content: string): string {
    return (
      Buffer.from(content)
        .toString('base64')
        .match(/.{1,60}/g)
        ?.map(line => `${line}\n`)
        .join('') ?? ''
    );
  }

  /** The content of the blob with this sha on any branch. */
  blob(sha: string): string | undefined {
    for (const files of this.branches.values())
      for (const content of files.values())
        if (GithubRepoMock.sha(content) === sha) return content;
    return undefined;
  }

  file(branch: string, path: string): string | undefined {
    return this.branches.get(branch)?.get(path);
  }

  /**
   * A pull request opened by someone else: from a branch of this repository (created from main
   * with `files` on top unless it exists), or from a fork (`fork`: its `owner/name`, `null` once
   * deleted).
   */
  openPull(options: {
    head: string;
    author: Account;
    body: string;
    files?: Record<string, string>;
    fork?: string | null;
  }): Pull {
    if (options.fork === undefined && !this.branches.has(options.head)) {
      this.branches.set(
        options.head,
        new Map([
          ...this.branches.get('main')!,
          ...Object.entries(options.files ?? {}),
        ]),
      );
    }
    const number = this.pulls.length + 1;
    const pull: Pull = {
      number,
      html_url: `https://github.com/${this.owner}/${this.repo}/pull/${number}`,
      title: `Pull request #${number}`,
      body: options.body,
      state: 'open',
      user: options.author,
      head: {
        ref: options.head,
        repo: headRepository(`${this.owner}/${this.repo}`, options.fork),
      },
      base: { ref: 'main' },
      labels: [],
      reviewers: [],
    };
    this.pulls.push(pull);
    return pull;
  }

  /** The account a request authenticates as (`Authorization: token …` or `Bearer …`). */
  account(request: Request): Account | undefined {
    const token = /^(?:token|bearer) (.+)$/i.exec(
      request.headers.get('authorization') ?? '',
    )?.[1];
    return token === undefined ? undefined : this.accounts.get(token);
  }

  handlers(): HttpHandler[] {
    const base = `${this.apiBase}/repos/${this.owner}/${this.repo}`;
    const record = async (request: Request, path: string) => {
      const text = request.method === 'GET' ? '' : await request.clone().text();
      this.requests.push({
        method: request.method,
        path,
        authorization: request.headers.get('authorization'),
        body: text ? JSON.parse(text) : undefined,
      });
      if (!this.account(request))
        return HttpResponse.json(
          { message: 'Bad credentials' },
          { status: 401 },
        );
      const failure = this.failures.findIndex(f =>
        `${request.method} ${path}`.startsWith(f.match),
      );
      if (failure >= 0) {
        const f = this.failures.splice(failure, 1)[0];
        if (f.status === 0) return HttpResponse.error();
        return HttpResponse.json(
          { message: f.message ?? 'failure' },
          { status: f.status, headers: f.headers },
        );
      }
      return undefined;
    };
    const rest = (
      params: Record<string, string | readonly string[] | undefined>,
    ) => decodeURIComponent([params['0'] ?? ''].flat().join('/'));
    return [
      http.get(
        base,
        async ({ request }) =>
          (await record(request, '/repo')) ??
          HttpResponse.json({
            default_branch: 'main',
            full_name: `${this.owner}/${this.repo}`,
          }),
      ),
      http.get(`${base}/git/ref/*`, async ({ request, params }) => {
        const ref = rest(params).replace(/^heads\//, '');
        return (
          (await record(request, `/git/ref/${ref}`)) ??
          (this.branches.has(ref)
            ? HttpResponse.json({
                ref: `refs/heads/${ref}`,
                object: { sha: `commit-${ref}` },
              })
            : HttpResponse.json({ message: 'Not Found' }, { status: 404 }))
        );
      }),
      http.post(`${base}/git/refs`, async ({ request }) => {
        const failed = await record(request, '/git/refs');
        if (failed) return failed;
        const body = (await request.json()) as { ref: string; sha: string };
        const name = body.ref.replace(/^refs\/heads\//, '');
        if (this.branches.has(name))
          return HttpResponse.json(
            { message: 'Reference already exists' },
            { status: 422 },
          );
        this.branches.set(
          name,
          new Map(
            this.branches.get(body.sha.replace(/^commit-/, '')) ??
              this.branches.get('main'),
          ),
        );
        return HttpResponse.json(
          { ref: body.ref, object: { sha: `commit-${name}` } },
          { status: 201 },
        );
      }),
      http.get(`${base}/contents/*`, async ({ request, params }) => {
        const path = rest(params);
        const ref = new URL(request.url).searchParams.get('ref') ?? 'main';
        const failed = await record(request, `/contents/${path}`);
        if (failed) return failed;
        const content = this.file(ref, path);
        if (content === undefined)
          return HttpResponse.json({ message: 'Not Found' }, { status: 404 });
        if (isRaw(request)) return raw(content);
        const size = Buffer.byteLength(content);
        // "Get repository content": between 1 and 100 MB only the raw and object media types
        // carry the file; the JSON answer has an empty `content` and `encoding: none`.
        const large = size > ONE_MEGABYTE;
        return HttpResponse.json({
          type: 'file',
          name: path.split('/').pop(),
          path,
          sha: GithubRepoMock.sha(content),
          size,
          encoding: large ? 'none' : 'base64',
          content: large ? '' : GithubRepoMock.base64(content),
        });
      }),
      http.get(`${base}/git/blobs/:sha`, async ({ request, params }) => {
        const sha = String(params.sha);
        const failed = await record(request, `/git/blobs/${sha}`);
        if (failed) return failed;
        const content = this.blob(sha);
        if (content === undefined)
          return HttpResponse.json({ message: 'Not Found' }, { status: 404 });
        if (isRaw(request)) return raw(content);
        // "Get a blob": always base64, blobs up to 100 MB.
        return HttpResponse.json({
          sha,
          size: Buffer.byteLength(content),
          encoding: 'base64',
          content: GithubRepoMock.base64(content),
        });
      }),
      http.put(`${base}/contents/*`, async ({ request, params }) => {
        const path = rest(params);
        const failed = await record(request, `/contents/${path}`);
        if (failed) return failed;
        const body = (await request.json()) as {
          branch: string;
          content: string;
          sha?: string;
        };
        this.beforeWrite?.(body.branch, path);
        const files = this.branches.get(body.branch)!;
        const current = files.get(path);
        if (
          (current === undefined) !== (body.sha === undefined) ||
          (current !== undefined && GithubRepoMock.sha(current) !== body.sha)
        ) {
          return HttpResponse.json(
            { message: `${path} does not match ${body.sha}` },
            { status: 409 },
          );
        }
        files.set(path, Buffer.from(body.content, 'base64').toString('utf8'));
        return HttpResponse.json(
          {
            content: { path, sha: GithubRepoMock.sha(files.get(path)!) },
            commit: { sha: 'c' },
          },
          { status: current ? 200 : 201 },
        );
      }),
      http.get(`${base}/pulls`, async ({ request }) => {
        const failed = await record(request, '/pulls');
        if (failed) return failed;
        // "List pull requests": state (default open), head (`owner:ref`), newest first, 30 per
        // page by default and 100 at most, the other pages named in the Link header.
        const url = new URL(request.url);
        const state = url.searchParams.get('state') ?? 'open';
        const head = url.searchParams.get('head');
        const perPage = Math.min(
          100,
          Number(url.searchParams.get('per_page') ?? 30),
        );
        const page = Number(url.searchParams.get('page') ?? 1);
        const matching = this.pulls
          .filter(p => state === 'all' || p.state === state)
          .filter(p => !head || pullJson(p).head.label === head)
          .reverse();
        const last = Math.max(1, Math.ceil(matching.length / perPage));
        const link = linkHeader(url, page, last);
        return HttpResponse.json(
          matching.slice((page - 1) * perPage, page * perPage).map(pullJson),
          link ? { headers: { link } } : undefined,
        );
      }),
      http.post(`${base}/pulls`, async ({ request }) => {
        const failed = await record(request, '/pulls');
        if (failed) return failed;
        const body = (await request.json()) as {
          title: string;
          head: string;
          base: string;
          body: string;
        };
        const ref = body.head.replace(new RegExp(`^${this.owner}:`), '');
        if (
          this.pulls.some(
            p =>
              p.state === 'open' &&
              p.head.ref === ref &&
              p.head.repo?.full_name === `${this.owner}/${this.repo}`,
          )
        )
          return duplicatePull(`${this.owner}:${ref}`);
        if (!this.branches.has(ref))
          return HttpResponse.json(
            {
              message: 'Validation Failed',
              errors: [
                { resource: 'PullRequest', field: 'head', code: 'invalid' },
              ],
            },
            { status: 422 },
          );
        const number = this.pulls.length + 1;
        const pull: Pull = {
          number,
          html_url: `https://github.com/${this.owner}/${this.repo}/pull/${number}`,
          title: body.title,
          body: body.body,
          state: 'open',
          user: this.account(request)!,
          head: { ref, repo: { full_name: `${this.owner}/${this.repo}` } },
          base: { ref: body.base },
          labels: [],
          reviewers: [],
        };
        this.pulls.push(pull);
        return HttpResponse.json(pullJson(pull), { status: 201 });
      }),
      http.get(`${base}/pulls/:number`, async ({ request, params }) => {
        const failed = await record(request, `/pulls/${params.number}`);
        if (failed) return failed;
        const pull = this.pulls.find(p => p.number === Number(params.number));
        return pull
          ? HttpResponse.json(pullJson(pull))
          : HttpResponse.json({ message: 'Not Found' }, { status: 404 });
      }),
      http.patch(`${base}/pulls/:number`, async ({ request, params }) => {
        const failed = await record(request, `/pulls/${params.number}`);
        if (failed) return failed;
        const pull = this.pulls.find(p => p.number === Number(params.number))!;
        pull.body = ((await request.json()) as { body: string }).body;
        return HttpResponse.json(pullJson(pull));
      }),
      http.post(
        `${base}/issues/:number/labels`,
        async ({ request, params }) => {
          const failed = await record(
            request,
            `/issues/${params.number}/labels`,
          );
          if (failed) return failed;
          this.pulls
            .find(p => p.number === Number(params.number))!
            .labels.push(
              ...((await request.json()) as { labels: string[] }).labels,
            );
          return HttpResponse.json([]);
        },
      ),
      http.post(
        `${base}/pulls/:number/requested_reviewers`,
        async ({ request, params }) => {
          const failed = await record(
            request,
            `/pulls/${params.number}/requested_reviewers`,
          );
          if (failed) return failed;
          const body = (await request.json()) as {
            reviewers: string[];
            team_reviewers: string[];
          };
          this.pulls
            .find(p => p.number === Number(params.number))!
            .reviewers.push(
              ...body.reviewers,
              ...body.team_reviewers.map(t => `team:${t}`),
            );
          return HttpResponse.json({});
        },
      ),
      // "Get the authenticated user": installation tokens may not call it.
      http.get(`${this.apiBase}/user`, async ({ request }) => {
        const failed = await record(request, '/user');
        if (failed) return failed;
        const account = this.account(request)!;
        return account.type === 'Bot'
          ? HttpResponse.json(
              { message: 'Resource not accessible by integration' },
              { status: 403 },
            )
          : HttpResponse.json({ login: account.login, type: account.type });
      }),
      // GraphQL's `viewer` is the token's account, a GitHub App's bot included.
      http.post(
        `${this.apiBase.replace(/\/api\/v3$/, '/api')}/graphql`,
        async ({ request }) => {
          const failed = await record(request, '/graphql');
          if (failed) return failed;
          const { query } = (await request.json()) as { query: string };
          if (!/\bviewer\s*\{\s*login\s*\}/.test(query))
            return HttpResponse.json({
              errors: [{ message: `The mock does not answer ${query}` }],
            });
          return HttpResponse.json({
            data: { viewer: { login: this.account(request)!.login } },
          });
        },
      ),
      // A GitHub App (JWT-authenticated): its installations, and installation tokens.
      http.get(`${this.apiBase}/app/installations`, () =>
        HttpResponse.json(
          this.app
            ? [
                {
                  id: this.app.installationId,
                  account: { login: this.owner },
                  suspended_by: null,
                },
              ]
            : [],
        ),
      ),
      http.post(
        `${this.apiBase}/app/installations/:id/access_tokens`,
        ({ params }) => {
          if (!this.app || Number(params.id) !== this.app.installationId)
            return HttpResponse.json({ message: 'Not Found' }, { status: 404 });
          const token = `ghs_installation${this.accounts.size}`;
          this.accounts.set(token, {
            login: `${this.app.slug}[bot]`,
            type: 'Bot',
          });
          return HttpResponse.json(
            {
              token,
              expires_at: new Date(Date.now() + 3600_000).toISOString(),
              repository_selection: 'all',
            },
            { status: 201 },
          );
        },
      ),
    ];
  }
}
