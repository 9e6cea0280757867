import { githubFailure, githubRateLimit } from './githubErrors';

/** An error shaped as Octokit's RequestError. */
const requestError = (
  status: number,
  headers?: Record<string, unknown>,
  message = 'Forbidden',
) =>
  Object.assign(new Error(message), {
    status,
    request: { headers: { authorization: 'token ghp_secret' } },
    ...(headers ? { response: { headers, data: {} } } : {}),
  });

describe('githubFailure', () => {
  it('keeps the status, lower-cased headers and the first line of the message only', () => {
    expect(
      githubFailure(
        requestError(403, { 'X-RateLimit-Remaining': 0 }, 'Denied\nmore'),
      ),
    ).toEqual({
      status: 403,
      answered: true,
      headers: { 'x-ratelimit-remaining': '0' },
      message: 'Denied',
    });
  });

  it('tells a request GitHub never answered (Octokit: 500 without a response)', () => {
    expect(githubFailure(requestError(500))).toMatchObject({
      status: 500,
      answered: false,
    });
  });

  it.each([undefined, null, 'boom', new Error('boom'), { status: '404' }])(
    'is undefined for %p (no HTTP status)',
    error => expect(githubFailure(error)).toBeUndefined(),
  );
});

describe('githubRateLimit', () => {
  const now = 1_000_000_000_000;
  const at = (seconds: number) => String(now / 1000 + seconds);
  it.each([
    [
      'primary limit until the reset',
      403,
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': at(90) },
      '',
      { retryAfterSeconds: 90 },
    ],
    [
      'primary limit already reset',
      429,
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': at(-5) },
      '',
      { retryAfterSeconds: 0 },
    ],
    [
      'primary limit without a reset',
      403,
      { 'x-ratelimit-remaining': '0' },
      '',
      {},
    ],
    [
      'secondary limit with retry-after',
      429,
      { 'retry-after': '30' },
      '',
      { retryAfterSeconds: 30 },
    ],
    [
      'retry-after that is not a number',
      403,
      { 'retry-after': 'soon' },
      '',
      {},
    ],
    [
      'secondary limit named only by the message',
      403,
      {},
      'You have exceeded a secondary rate limit',
      {},
    ],
    [
      'a plain 403',
      403,
      { 'x-ratelimit-remaining': '12' },
      'Resource not accessible',
      undefined,
    ],
    [
      'another status with retry-after',
      503,
      { 'retry-after': '30' },
      '',
      undefined,
    ],
  ] as const)('%s', (_name, status, headers, message, expected) => {
    expect(githubRateLimit({ status, headers, message }, now)).toEqual(
      expected,
    );
  });
});
