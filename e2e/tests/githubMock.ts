import { createHash } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';

/** Files above this size come without content in JSON (GitHub's "Get repository content"). */
const ONE_MEGABYTE = 1024 * 1024;

/** The git blob sha of a file, as GitHub reports it. */
const blobSha = (content: string) =>
  createHash('sha1')
    .update(`blob ${Buffer.byteLength(content)}\0`)
    .update(content)
    .digest('hex');

/** Base64 as GitHub sends it in JSON: lines of 60 characters, each ending with a newline. */
const base64 = (content: string) =>
  (
    Buffer.from(content)
      .toString('base64')
      .match(/.{1,60}/g) ?? []
  )
    .map(line => `${line}\n`)
    .join('');

/** The account every token of the mock acts as (`GET /user`), the author of its pull requests. */
const LOGIN = 'backstage-bot';

/**
 * A loopback GitHub Enterprise-style REST API (`/api/v3`) holding one repository in memory, for
 * the end-to-end test of the access-request template: refs, contents (with GitHub's `size`, and
 * `encoding: none` in JSON above 1 MB), blobs, the raw media type, the authenticated user, pull
 * requests (pages with a `Link` header, authors, heads in forks, 422 for a second pull request
 * from the same head), labels and reviewers, enough for `mesh-security:access:request`.
 */
export interface GithubMock {
  port: number;
  pulls: Array<{
    number: number;
    title: string;
    body: string;
    head: string;
    /** `owner/name` of the head's repository; null for a deleted fork. */
    headRepo: string | null;
    author: string;
    base: string;
    labels: string[];
    createdAt: string;
  }>;
  /** Authorization headers received (to prove the configured token was used). */
  authorizations: string[];
  file(branch: string, path: string): string | undefined;
  close(): Promise<void>;
}

/** Starts the mock on 127.0.0.1:`port` with `files` on branch `main` of `owner/repo`. */
export async function startGithubMock(
  port: number,
  owner: string,
  repo: string,
  files: Record<string, string>,
): Promise<GithubMock> {
  const branches = new Map<string, Map<string, string>>([
    ['main', new Map(Object.entries(files))],
  ]);
  const pulls: GithubMock['pulls'] = [];
  const authorizations: string[] = [];
  const blob = (sha: string) => {
    for (const files of branches.values())
      for (const content of files.values())
        if (blobSha(content) === sha) return content;
    return undefined;
  };
  const prefix = `/api/v3/repos/${owner}/${repo}`;

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', chunk => (raw += chunk));
    req.on('end', () => {
      authorizations.push(String(req.headers.authorization ?? ''));
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = decodeURIComponent(url.pathname);
      const body = raw ? JSON.parse(raw) : {};
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      // The raw media type (`application/vnd.github.raw`, `.raw+json`): the file itself.
      const wantsRaw = /application\/vnd\.github(\.v3)?\.raw/.test(
        String(req.headers.accept ?? ''),
      );
      const sendRaw = (content: string) => {
        res.writeHead(200, {
          'content-type': 'application/vnd.github.raw; charset=utf-8',
        });
        res.end(content);
      };
      if (path === '/api/v3/user' && (req.method ?? 'GET') === 'GET')
        return send(200, { login: LOGIN, type: 'User' });
      if (!path.startsWith(prefix)) return send(404, { message: 'Not Found' });
      const rest = path.slice(prefix.length);
      const method = req.method ?? 'GET';
      if (method === 'GET' && rest === '')
        return send(200, { default_branch: 'main' });
      if (method === 'GET' && rest.startsWith('/git/ref/heads/')) {
        const name = rest.slice('/git/ref/heads/'.length);
        return branches.has(name)
          ? send(200, { object: { sha: `commit-${name}` } })
          : send(404, { message: 'Not Found' });
      }
      if (method === 'POST' && rest === '/git/refs') {
        const name = String(body.ref).replace('refs/heads/', '');
        if (branches.has(name))
          return send(422, { message: 'Reference already exists' });
        branches.set(
          name,
          new Map(
            branches.get(String(body.sha).replace('commit-', '')) ??
              branches.get('main'),
          ),
        );
        return send(201, { ref: body.ref });
      }
      if (rest.startsWith('/contents/')) {
        const file = rest.slice('/contents/'.length);
        if (method === 'GET') {
          const content = branches
            .get(url.searchParams.get('ref') ?? 'main')
            ?.get(file);
          if (content === undefined) return send(404, { message: 'Not Found' });
          if (wantsRaw) return sendRaw(content);
          // Between 1 and 100 MB, JSON carries no content (`encoding: none`).
          const size = Buffer.byteLength(content);
          const large = size > ONE_MEGABYTE;
          return send(200, {
            type: 'file',
            path: file,
            sha: blobSha(content),
            size,
            encoding: large ? 'none' : 'base64',
            content: large ? '' : base64(content),
          });
        }
        if (method === 'PUT') {
          const files = branches.get(body.branch);
          const current = files?.get(file);
          if (
            !files ||
            (current !== undefined && blobSha(current) !== body.sha)
          )
            return send(409, { message: 'sha mismatch' });
          files.set(file, Buffer.from(body.content, 'base64').toString('utf8'));
          return send(current === undefined ? 201 : 200, {
            content: { path: file, sha: blobSha(files.get(file)!) },
          });
        }
      }
      const blobPath = /^\/git\/blobs\/([0-9a-f]{40})$/.exec(rest);
      if (blobPath && method === 'GET') {
        const content = blob(blobPath[1]);
        if (content === undefined) return send(404, { message: 'Not Found' });
        if (wantsRaw) return sendRaw(content);
        // "Get a blob": always base64.
        return send(200, {
          sha: blobPath[1],
          size: Buffer.byteLength(content),
          encoding: 'base64',
          content: base64(content),
        });
      }
      const pullJson = (p: GithubMock['pulls'][number]) => ({
        number: p.number,
        title: p.title,
        html_url: `http://127.0.0.1:${port}/${owner}/${repo}/pull/${p.number}`,
        body: p.body,
        state: 'open',
        draft: false,
        user: { login: p.author },
        created_at: p.createdAt,
        updated_at: p.createdAt,
        labels: p.labels.map(name => ({ name })),
        head: {
          ref: p.head,
          label: `${p.headRepo?.split('/')[0] ?? 'unknown'}:${p.head}`,
          repo: p.headRepo ? { full_name: p.headRepo } : null,
        },
        base: { ref: p.base },
      });
      if (rest === '/pulls' && method === 'GET') {
        // Every pull request here is open. Newest first, `per_page` (30 by default, 100 at
        // most) a page, and a Link header naming the next and last pages, as GitHub does.
        const head = url.searchParams.get('head');
        const perPage = Math.min(
          100,
          Number(url.searchParams.get('per_page') ?? 30),
        );
        const page = Number(url.searchParams.get('page') ?? 1);
        const matching = pulls
          .map(pullJson)
          .filter(p => !head || p.head.label === head)
          .reverse();
        const last = Math.max(1, Math.ceil(matching.length / perPage));
        const link = (n: number, rel: string) => {
          const target = new URL(url);
          target.searchParams.set('page', String(n));
          return `<http://127.0.0.1:${port}${target.pathname}${target.search}>; rel="${rel}"`;
        };
        const links = [
          ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
          ...(page > 1 ? [link(page - 1, 'prev'), link(1, 'first')] : []),
        ];
        res.writeHead(200, {
          'content-type': 'application/json',
          ...(links.length ? { link: links.join(', ') } : {}),
        });
        return res.end(
          JSON.stringify(matching.slice((page - 1) * perPage, page * perPage)),
        );
      }
      if (rest === '/pulls' && method === 'POST') {
        const head = String(body.head).replace(`${owner}:`, '');
        if (
          pulls.some(p => p.head === head && p.headRepo === `${owner}/${repo}`)
        )
          return send(422, {
            message: 'Validation Failed',
            errors: [
              {
                resource: 'PullRequest',
                code: 'custom',
                message: `A pull request already exists for ${owner}:${head}.`,
              },
            ],
          });
        const pull = {
          number: pulls.length + 1,
          title: body.title,
          body: body.body,
          head,
          headRepo: `${owner}/${repo}`,
          author: LOGIN,
          base: body.base,
          labels: [] as string[],
          createdAt: new Date().toISOString(),
        };
        pulls.push(pull);
        return send(201, pullJson(pull));
      }
      const labels = /^\/issues\/(\d+)\/labels$/.exec(rest);
      if (labels && method === 'POST') {
        pulls[Number(labels[1]) - 1]?.labels.push(...body.labels);
        return send(200, []);
      }
      const one = /^\/pulls\/(\d+)$/.exec(rest);
      const pull = one ? pulls[Number(one[1]) - 1] : undefined;
      if (one && !pull) return send(404, { message: 'Not Found' });
      if (pull && method === 'GET') return send(200, pullJson(pull));
      if (pull && method === 'PATCH') {
        pull.body = body.body;
        return send(200, pullJson(pull));
      }
      if (/^\/pulls\/\d+\/requested_reviewers$/.test(rest))
        return send(201, {});
      return send(404, { message: `Not Found: ${method} ${rest}` });
    });
  });
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    pulls,
    authorizations,
    file: (branch, path) => branches.get(branch)?.get(path),
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}
