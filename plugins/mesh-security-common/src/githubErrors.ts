/*
 * Failed GitHub REST requests, as the backend (listing pull requests) and the scaffolder actions
 * (writing them) read them. Octokit errors carry the request, with its authorization header, and
 * the upstream body: only the status, the headers and the first line of GitHub's message are
 * taken, and callers build their own messages from them. Rate limits follow GitHub's "Rate limits
 * for the REST API" (docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api).
 */

/**
 * The parts of a failed GitHub request that may be looked at.
 *
 * @public
 */
export interface GithubFailure {
  /** HTTP status (Octokit reports a request that got no answer as 500). */
  status: number;
  /** Whether GitHub answered at all: false for network failures and timeouts. */
  answered: boolean;
  /** Response headers, names in lower case. */
  headers: Record<string, string | undefined>;
  /** First line of the error's message (GitHub's `message`); never shown to users as is. */
  message: string;
}

/**
 * Narrows an error thrown by Octokit (or built the same way) to a {@link GithubFailure};
 * undefined when it carries no HTTP status.
 *
 * @public
 */
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
    answered: Boolean(e.response),
    headers,
    message: typeof e.message === 'string' ? e.message.split('\n')[0] : '',
  };
}

/**
 * Whether a failure is a rate limit, and when to retry: the primary limit
 * (`x-ratelimit-remaining: 0`, retry at `x-ratelimit-reset`) or a secondary one (`retry-after`,
 * or only GitHub's message saying so). Undefined when not rate limited; `retryAfterSeconds` is
 * absent when the headers do not say.
 *
 * @public
 */
export function githubRateLimit(
  failure: Pick<GithubFailure, 'status' | 'headers' | 'message'>,
  now: number,
): { retryAfterSeconds?: number } | undefined {
  if (failure.status !== 403 && failure.status !== 429) return undefined;
  const seconds = (value: number) =>
    Number.isFinite(value) ? { retryAfterSeconds: Math.max(0, value) } : {};
  const retryAfter = failure.headers['retry-after'];
  if (retryAfter !== undefined) return seconds(Number(retryAfter));
  if (failure.headers['x-ratelimit-remaining'] === '0') {
    return seconds(
      Math.ceil(Number(failure.headers['x-ratelimit-reset']) - now / 1000),
    );
  }
  if (/secondary rate limit/i.test(failure.message)) return {};
  return undefined;
}
