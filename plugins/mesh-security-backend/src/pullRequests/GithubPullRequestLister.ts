import { LoggerService } from '@backstage/backend-plugin-api';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import {
  AccessChangePullRequest,
  formatGitopsRepository,
  GitopsRepository,
  gitopsRepositoryUrl,
  parseAccessChangeBranch,
  parseAccessChangeTargets,
} from '@mesh-security/plugin-mesh-security-common';
import { Octokit } from '@octokit/rest';

/** A repository's open access-change pull requests, or why they could not be read. */
export type PullRequestListing =
  | {
      status: 'ok';
      fetchedAt: string;
      /** Only pull requests on access-change branches, newest first. */
      pullRequests: AccessChangePullRequest[];
      truncated: boolean;
    }
  | { status: 'error'; fetchedAt: string; message: string };

/** Options of {@link GithubPullRequestLister}. */
export interface GithubPullRequestListerOptions {
  integrations: ScmIntegrationRegistry;
  logger: LoggerService;
  /** Pages of 100 open pull requests read at most per listing. Default 5. */
  maxPages?: number;
  /** Timeout of each request to GitHub, in milliseconds. Default 10 000. */
  timeoutMs?: number;
  /** Tests swap the credentials; by default those of the `integrations.github` entries. */
  credentials?: GithubCredentialsProvider;
}

/** The fields of GitHub's "List pull requests" items that we read, as far as checked. */
interface GithubPull {
  number: number;
  title?: unknown;
  html_url?: unknown;
  head: { ref: string };
  user?: { login?: unknown } | null;
  created_at?: unknown;
  updated_at?: unknown;
  draft?: unknown;
  labels?: unknown;
  body?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether an item of the answer is a pull request at all (a number and a head branch). */
function isPull(item: unknown): item is GithubPull {
  return (
    isObject(item) &&
    Number.isSafeInteger(item.number) &&
    (item.number as number) > 0 &&
    isObject(item.head) &&
    typeof item.head.ref === 'string'
  );
}

/** Label names; anything else in the list (null, numbers, nameless objects) is left out. */
function labelNames(labels: unknown): string[] {
  if (!Array.isArray(labels)) return [];
  return labels
    .map(l => (isObject(l) ? l.name : l))
    .filter((name): name is string => typeof name === 'string' && name !== '')
    .map(name => name.slice(0, 100));
}

/** An Octokit failure reduced to what we may look at (never its message or request). */
interface Failure {
  status?: number;
  headers: Record<string, string | undefined>;
}

function failureOf(error: unknown): Failure {
  const e = error as {
    status?: unknown;
    response?: { headers?: Record<string, unknown> };
  };
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(e?.response?.headers ?? {}))
    headers[k.toLowerCase()] = v === undefined ? undefined : String(v);
  // Octokit reports network failures and timeouts as status 500 without a response.
  const status =
    typeof e?.status === 'number' && e.response ? e.status : undefined;
  return { status, headers };
}

/**
 * A short message for a failure, built from the status and rate-limit headers only: Octokit
 * errors carry the request (with its authorization header) and the upstream body, and neither
 * may reach a response or a log line. Rate limits: GitHub's "Rate limits for the REST API".
 */
export function describeGithubFailure(
  error: unknown,
  repo: GitopsRepository,
  now: number,
): string {
  const { status, headers } = failureOf(error);
  const full = `${repo.owner}/${repo.name}`;
  if (status === undefined) {
    return `GitHub (${repo.host}) could not be reached; try again later`;
  }
  const rateLimited =
    (status === 403 || status === 429) &&
    (headers['retry-after'] !== undefined ||
      headers['x-ratelimit-remaining'] === '0');
  if (rateLimited) {
    const reset = Number(headers['x-ratelimit-reset']);
    const seconds =
      headers['retry-after'] !== undefined
        ? Number(headers['retry-after'])
        : Math.ceil(reset - now / 1000);
    const minutes = Number.isFinite(seconds)
      ? Math.max(1, Math.ceil(seconds / 60))
      : undefined;
    return `GitHub rate limit reached for ${repo.host}${
      minutes ? `; try again in about ${minutes} min` : '; try again later'
    }`;
  }
  switch (status) {
    case 401:
      return `GitHub rejected the credentials of integrations.github host ${repo.host} (401)`;
    case 403:
      return `The credentials of integrations.github host ${repo.host} may not read the pull requests of ${full} (403)`;
    case 404:
      return `Repository ${full} was not found on ${repo.host}, or the configured credentials cannot see it (404)`;
    default:
      return `GitHub (${repo.host}) answered ${status} while listing the pull requests of ${full}`;
  }
}

/** Only http(s) links reach the UI, whatever the forge answers. */
function safeUrl(url: unknown, fallback: string): string {
  if (typeof url !== 'string') return fallback;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:'
      ? parsed.toString()
      : fallback;
  } catch {
    return fallback;
  }
}

function toAccessChange(
  pull: GithubPull,
  repo: GitopsRepository,
): AccessChangePullRequest | undefined {
  const branch = parseAccessChangeBranch(pull.head.ref);
  if (!branch) return undefined;
  const targets = parseAccessChangeTargets(pull.body);
  return {
    number: pull.number,
    title: String(pull.title ?? '').slice(0, 300),
    url: safeUrl(
      pull.html_url,
      `${gitopsRepositoryUrl(repo)}/pull/${pull.number}`,
    ),
    branch: pull.head.ref,
    change: branch.change,
    ...(isObject(pull.user) &&
    typeof pull.user.login === 'string' &&
    pull.user.login
      ? { author: pull.user.login.slice(0, 100) }
      : {}),
    createdAt: String(pull.created_at ?? ''),
    updatedAt: String(pull.updated_at ?? ''),
    draft: pull.draft === true,
    labels: labelNames(pull.labels),
    ...(targets ? { targets } : {}),
  };
}

/**
 * Lists a GitHub repository's open pull requests on access-change branches through the REST API
 * ("List pull requests", 100 per page, a bounded number of pages), with the credentials of the
 * `integrations.github` entry for the host (token or GitHub App). Never throws: failures become
 * a listing with a short, safe message.
 */
export class GithubPullRequestLister {
  private readonly credentials: GithubCredentialsProvider;
  private readonly maxPages: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: GithubPullRequestListerOptions) {
    this.credentials =
      options.credentials ??
      DefaultGithubCredentialsProvider.fromIntegrations(options.integrations);
    this.maxPages = options.maxPages ?? 5;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async list(repo: GitopsRepository): Promise<PullRequestListing> {
    const fetchedAt = new Date().toISOString();
    const full = formatGitopsRepository(repo);
    const integration = this.options.integrations.github.byHost(repo.host);
    if (!integration) {
      // resolveRepository checked this already; never call a host nobody configured.
      return {
        status: 'error',
        fetchedAt,
        message: `${repo.host} is not a GitHub host of integrations.github`,
      };
    }
    let token: string | undefined;
    try {
      ({ token } = await this.credentials.getCredentials({
        url: gitopsRepositoryUrl(repo),
      }));
    } catch {
      // e.g. no GitHub App installation for the owner; the provider's message is not passed on.
      token = undefined;
    }
    if (!token) {
      return {
        status: 'error',
        fetchedAt,
        message: `The integrations.github entry for ${repo.host} has no token or GitHub App installation for ${repo.owner}`,
      };
    }
    const octokit = new Octokit({
      auth: token,
      baseUrl: integration.config.apiBaseUrl ?? 'https://api.github.com',
      log: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const pullRequests: AccessChangePullRequest[] = [];
    let truncated = false;
    let malformed = 0;
    try {
      for (let page = 1; page <= this.maxPages; page++) {
        const res = await octokit.pulls.list({
          owner: repo.owner,
          repo: repo.name,
          state: 'open',
          sort: 'created',
          direction: 'desc',
          per_page: 100,
          page,
          request: { signal: AbortSignal.timeout(this.timeoutMs) },
        });
        // Octokit hands over the body as text when it is not JSON.
        const pulls: unknown = res.data;
        if (!Array.isArray(pulls)) {
          this.options.logger.warn(
            `Mesh Security could not list the pull requests of ${full}: GitHub answered ${
              typeof pulls === 'string'
                ? 'something other than JSON'
                : 'JSON that is not a list'
            }`,
          );
          return {
            status: 'error',
            fetchedAt,
            message: `GitHub (${repo.host}) did not answer with a list of the pull requests of ${repo.owner}/${repo.name}; try again later`,
          };
        }
        for (const pull of pulls) {
          if (!isPull(pull)) {
            malformed++;
            continue;
          }
          const pr = toAccessChange(pull, repo);
          if (pr) pullRequests.push(pr);
        }
        const more = /rel="next"/.test(String(res.headers.link ?? ''));
        if (!more || pulls.length === 0) break;
        if (page === this.maxPages) truncated = true;
      }
    } catch (error) {
      const message = describeGithubFailure(error, repo, Date.now());
      const { status } = failureOf(error);
      this.options.logger.warn(
        `Mesh Security could not list the pull requests of ${full}: ${
          status === undefined ? 'no answer' : `HTTP ${status}`
        }`,
      );
      return { status: 'error', fetchedAt, message };
    }
    if (malformed > 0) {
      this.options.logger.warn(
        `Mesh Security skipped ${malformed} item(s) of GitHub's list of the open pull requests of ${full} that are not pull requests (no number or head branch)`,
      );
    }
    if (truncated) {
      this.options.logger.debug(
        `Mesh Security read the newest ${
          this.maxPages * 100
        } open pull requests of ${full} only`,
      );
    }
    return { status: 'ok', fetchedAt, pullRequests, truncated };
  }
}
