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
  githubFailure,
  githubRateLimit,
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

/**
 * A short message for a failure, built from the status and rate-limit headers only: Octokit
 * errors carry the request (with its authorization header) and the upstream body, and neither
 * may reach a response or a log line (common's `githubFailure` reads what may be read).
 */
export function describeGithubFailure(
  error: unknown,
  repo: GitopsRepository,
  now: number,
): string {
  const failure = githubFailure(error);
  const full = `${repo.owner}/${repo.name}`;
  if (!failure?.answered) {
    return `GitHub (${repo.host}) could not be reached; try again later`;
  }
  const rateLimit = githubRateLimit(failure, now);
  if (rateLimit) {
    const seconds = rateLimit.retryAfterSeconds;
    return `GitHub rate limit reached for ${repo.host}${
      seconds === undefined
        ? '; try again later'
        : `; try again in about ${Math.max(1, Math.ceil(seconds / 60))} min`
    }`;
  }
  const { status } = failure;
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

/**
 * The `- **Requested by:** \`<ref>\`` lines the scaffolder actions write in a description, one
 * per request (user text there is quoted with `> `, so it cannot start such a line); distinct,
 * at most 10, each at most 200 characters.
 */
const REQUESTED_BY = /^- \*\*Requested by:\*\* `([^`\r\n]{1,200})`[ \t]*$/gm;

function requestersOf(body: unknown): string[] | undefined {
  if (typeof body !== 'string') return undefined;
  const found = new Set<string>();
  for (const match of body.matchAll(REQUESTED_BY)) {
    found.add(match[1]);
    if (found.size >= 10) break;
  }
  return found.size > 0 ? [...found] : undefined;
}

function toAccessChange(
  pull: GithubPull,
  repo: GitopsRepository,
): AccessChangePullRequest | undefined {
  const branch = parseAccessChangeBranch(pull.head.ref);
  if (!branch) return undefined;
  const targets = parseAccessChangeTargets(pull.body);
  const requesters = requestersOf(pull.body);
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
    ...(requesters ? { requesters } : {}),
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
      const failure = githubFailure(error);
      this.options.logger.warn(
        `Mesh Security could not list the pull requests of ${full}: ${
          failure?.answered ? `HTTP ${failure.status}` : 'no answer'
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
