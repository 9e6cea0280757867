import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';

/*
 * GitHub (and GitLab) REST failures mapped to messages that say what to do. Messages are built here from the
 * status only: Octokit errors carry request headers (the token) and are never logged or rethrown.
 */

/** The parts of an Octokit RequestError we read. */
export interface GithubFailure {
  status: number;
  headers: Record<string, string | undefined>;
  message: string;
}

/** Narrows an unknown error to a GitHub HTTP failure. */
export function githubFailure(error: unknown): GithubFailure | undefined {
  if (
    !error ||
    typeof error !== 'object' ||
    typeof (error as { status?: unknown }).status !== 'number'
  )
    return undefined;
  const e = error as {
    status: number;
    message?: unknown;
    response?: { headers?: Record<string, unknown> };
  };
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(e.response?.headers ?? {}))
    headers[k.toLowerCase()] = v === undefined ? undefined : String(v);
  return {
    status: e.status,
    headers,
    message: typeof e.message === 'string' ? e.message.split('\n')[0] : '',
  };
}

/**
 * Seconds to wait before retrying a rate-limited request (primary: `x-ratelimit-remaining: 0`
 * with `x-ratelimit-reset`; secondary: `retry-after`), or undefined when not rate limited.
 * See GitHub's "Rate limits for the REST API".
 */
export function rateLimitWait(
  f: GithubFailure,
  now: number,
): number | undefined {
  if (f.status !== 403 && f.status !== 429) return undefined;
  if (f.headers['retry-after'] !== undefined)
    return Math.max(0, Number(f.headers['retry-after']) || 0);
  if (f.headers['x-ratelimit-remaining'] === '0') {
    const reset = Number(f.headers['x-ratelimit-reset']);
    return Number.isFinite(reset)
      ? Math.max(0, Math.ceil(reset - now / 1000))
      : 60;
  }
  if (/secondary rate limit/i.test(f.message)) return 60;
  return undefined;
}

/** A clear error for a failure of `what` on `repo`. */
export function mapGithubFailure(
  f: GithubFailure,
  what: string,
  repo: string,
  host: string,
  forge: 'GitHub' | 'GitLab' = 'GitHub',
): Error {
  const key = `integrations.${forge.toLowerCase()}`;
  switch (f.status) {
    case 401:
      return new NotAllowedError(
        `${forge} rejected the credentials of ${key} host ${host} (401) while trying to ${what}; renew the token or the GitHub App installation`,
      );
    case 403:
    case 429:
      if (rateLimitWait(f, Date.now()) !== undefined) {
        return new ServiceUnavailableError(
          `${forge} rate limit reached while trying to ${what} on ${repo}; run the task again later`,
        );
      }
      return new NotAllowedError(
        `The ${forge} credentials for ${host} may not ${what} on ${repo} (403); grant contents and pull requests write access to the token or GitHub App`,
      );
    case 404:
      return new NotFoundError(
        `Repository ${repo} was not found on ${host} while trying to ${what}, or the configured credentials cannot see it; check meshSecurity.accessRequests.repository and the token's access`,
      );
    case 409:
      return new ConflictError(
        `The policy file changed on ${repo} while trying to ${what}; run the task again to rebase on the new content`,
      );
    case 422:
      return new InputError(
        `${forge} refused to ${what} on ${repo} (422: ${
          f.message || 'validation failed'
        })`,
      );
    default:
      return new ServiceUnavailableError(
        `${forge} answered ${f.status} while trying to ${what} on ${repo}; try again later`,
      );
  }
}
