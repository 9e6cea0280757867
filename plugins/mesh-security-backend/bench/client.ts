/*
 * The load generator's side of the backend benchmarks (bench/backend.ts, bench/watch.ts): its
 * HTTP client, its guest sign-in, and the waits before anything is measured.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** Bearer credentials of a guest, as the views send them (and any other header). */
export type Headers = Record<string, string>;

export const sleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, Math.max(0, ms)));

/**
 * A request as a browser's page view makes it, timed until the last byte of the body arrived:
 * node:http on the agent's keep-alive connection, asking for gzip, not decompressed (that is the
 * client's work, as in HTTP load tools). A lighter client than `fetch`, whose own allocation
 * and collections showed up in every figure it measured; every route is measured the same way.
 * A body makes it a POST; `timeoutMs` gives up on a request unanswered that long.
 */
export function timedRequest(
  agent: http.Agent,
  url: string,
  headers: Headers,
  options: { body?: string; timeoutMs?: number } = {},
): Promise<{ status: number; bytes: number; ms: number }> {
  const { body, timeoutMs } = options;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = http.request(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        agent,
        headers: { 'accept-encoding': 'gzip', ...headers },
      },
      res => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            bytes,
            ms: performance.now() - start,
          }),
        );
        res.on('error', reject);
      },
    );
    if (timeoutMs !== undefined)
      req.setTimeout(timeoutMs, () =>
        req.destroy(new Error(`no answer within ${timeoutMs} ms`)),
      );
    req.on('error', error => {
      // The server closed the idle keep-alive connection as this request went out on it: sent
      // again on a new one, as Node's documentation advises ("request.reusedSocket"); the time
      // is that of the request that was answered.
      if (
        req.reusedSocket &&
        (error as NodeJS.ErrnoException).code === 'ECONNRESET'
      )
        timedRequest(agent, url, headers, options).then(resolve, reject);
      else reject(error);
    });
    req.end(body);
  });
}

/** GET and parse, not compressed (a probe reads the answer); sent again as {@link timedRequest}. */
export function getJson(
  agent: http.Agent,
  url: string,
  headers: Headers,
  timeoutMs: number,
): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, res => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error);
        }
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`no answer within ${timeoutMs} ms`)),
    );
    req.on('error', error => {
      if (
        req.reusedSocket &&
        (error as NodeJS.ErrnoException).code === 'ECONNRESET'
      )
        getJson(agent, url, headers, timeoutMs).then(resolve, reject);
      else reject(error);
    });
  });
}

/** Signs in as a guest at the backend's `base` (`…/api`): its bearer credentials. */
export async function signIn(base: string): Promise<Headers> {
  const res = await fetch(`${base}/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  const token = ((await res.json()) as any).backstageIdentity.token as string;
  return { authorization: `Bearer ${token}` };
}

/**
 * Waits until the catalog lists at least `entities` components. A failed request is asked
 * again: a load generator whose own event loop was held for seconds (bench/watch.ts times the
 * first read in it) may find its kept-alive socket closed by the backend before undici retires
 * it ("fetch failed: other side closed"). `onError` hears each such failure.
 */
export async function waitForCatalog(
  base: string,
  headers: Headers,
  entities: number,
  onError: (error: Error) => void = () => {},
): Promise<void> {
  for (;;) {
    try {
      const res = await fetch(
        `${base}/catalog/entities/by-query?filter=kind=component&limit=1`,
        { headers },
      );
      if (((await res.json()) as any).totalItems >= entities) return;
    } catch (error) {
      onError(error as Error);
    }
    await sleep(500);
  }
}
