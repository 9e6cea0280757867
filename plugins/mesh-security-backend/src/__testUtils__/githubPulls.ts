import { policyFileMarker } from '@mesh-security/plugin-mesh-security-common';
import { http, HttpResponse } from 'msw';

/** An item of GitHub's "List pull requests" answer, with the fields we read and a few more. */
export function githubPull(
  number: number,
  branch: string,
  overrides: Record<string, unknown> = {},
) {
  return {
    number,
    title: `Mesh Security: change #${number}`,
    html_url: `https://github.com/acme/gitops/pull/${number}`,
    state: 'open',
    head: { ref: branch, sha: 'abc' },
    base: { ref: 'main' },
    user: { login: 'mesh-security-bot', id: 1 },
    body: policyFileMarker(
      'clusters/demo/payments/authorization/payments-api.yaml',
    ),
    created_at: '2026-11-20T10:00:00Z',
    updated_at: '2026-11-21T10:00:00Z',
    draft: false,
    labels: [{ name: 'mesh-security' }, { name: 'access-change' }],
    ...overrides,
  };
}

/** What the GitHub mock saw. */
export interface GithubPullsMockState {
  /** Page numbers requested, in order. */
  pages: number[];
  /** Authorization headers received. */
  authorizations: Array<string | null>;
}

/**
 * msw handlers serving `GET /repos/:owner/:repo/pulls` (open only, `per_page`/`page` with a
 * `link: rel="next"` header like GitHub), or a failure instead.
 */
export function githubPullsHandler(options: {
  apiBase?: string;
  owner?: string;
  repo?: string;
  pulls?: unknown[];
  failure?: {
    status: number;
    headers?: Record<string, string>;
    body?: unknown;
  };
  state?: GithubPullsMockState;
}) {
  const apiBase = options.apiBase ?? 'https://api.github.com';
  const state = options.state ?? { pages: [], authorizations: [] };
  const url = `${apiBase}/repos/${options.owner ?? 'acme'}/${
    options.repo ?? 'gitops'
  }/pulls`;
  return http.get(url, ({ request }) => {
    const params = new URL(request.url).searchParams;
    const page = Number(params.get('page') ?? '1');
    const perPage = Number(params.get('per_page') ?? '30');
    state.pages.push(page);
    state.authorizations.push(request.headers.get('authorization'));
    if (options.failure) {
      return HttpResponse.json(options.failure.body ?? { message: 'failure' }, {
        status: options.failure.status,
        headers: options.failure.headers,
      });
    }
    if (params.get('state') !== 'open') {
      return HttpResponse.json(
        { message: 'expected state=open' },
        { status: 422 },
      );
    }
    const all = options.pulls ?? [];
    const items = all.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < all.length) {
      headers.link = `<${url}?per_page=${perPage}&page=${
        page + 1
      }>; rel="next"`;
    }
    return HttpResponse.json(items, { headers });
  });
}
