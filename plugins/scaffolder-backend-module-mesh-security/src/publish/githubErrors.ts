import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  GithubFailure,
  githubRateLimit,
} from '@mesh-security/plugin-mesh-security-common';

/*
 * GitHub (and GitLab) REST failures mapped to messages that say what to do. Messages are built
 * here from the status only: Octokit errors carry request headers (the token) and are never
 * logged or rethrown. Reading a failure and telling a rate limit is common's `githubFailure` and
 * `githubRateLimit`.
 */

/** What the actions read of a failure (GitLab's are built from its response the same way). */
type ForgeFailure = Pick<GithubFailure, 'status' | 'headers' | 'message'> &
  Partial<Pick<GithubFailure, 'answered'>>;

/**
 * Seconds to wait before retrying a rate-limited request, a minute when the headers do not say;
 * undefined when not rate limited.
 */
export function rateLimitWait(
  failure: ForgeFailure,
  now: number,
): number | undefined {
  const limit = githubRateLimit(failure, now);
  return limit && (limit.retryAfterSeconds ?? 60);
}

/** A clear error for a failure of `what` on `repo`. */
export function mapGithubFailure(
  f: ForgeFailure,
  what: string,
  repo: string,
  host: string,
  forge: 'GitHub' | 'GitLab' = 'GitHub',
): Error {
  const key = `integrations.${forge.toLowerCase()}`;
  if (f.answered === false) {
    // Octokit reports a connection that got no answer as status 500: say what happened.
    return new ServiceUnavailableError(
      `${forge} at ${host} could not be reached while trying to ${what} on ${repo}; check the ${key} host and the network, then try again`,
    );
  }
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
