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
export async function timedRequest(
  agent: http.Agent,
  url: string,
  headers: Headers,
  options: { body?: string; timeoutMs?: number } = {},
): Promise<{ status: number; bytes: number; ms: number }> {
  const { status, bytes, ms } = await exchange(agent, url, headers, {
    ...options,
    gzip: true,
  });
  return { status, bytes, ms };
}

/** GET and parse, not compressed (a probe reads the answer). */
export async function getJson(
  agent: http.Agent,
  url: string,
  headers: Headers,
  timeoutMs: number,
): Promise<any> {
  const { chunks } = await exchange(agent, url, headers, {
    timeoutMs,
    keep: true,
  });
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** One request: its status, time to the last byte, body size, and the body if `keep`. */
function exchange(
  agent: http.Agent,
  url: string,
  headers: Headers,
  options: {
    body?: string;
    timeoutMs?: number;
    gzip?: boolean;
    keep?: boolean;
  },
): Promise<{ status: number; bytes: number; ms: number; chunks: Buffer[] }> {
  const { body, timeoutMs, gzip, keep } = options;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = http.request(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        agent,
        headers: gzip ? { 'accept-encoding': 'gzip', ...headers } : headers,
      },
      res => {
        let bytes = 0;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (keep) chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            bytes,
            ms: performance.now() - start,
            chunks,
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
        exchange(agent, url, headers, options).then(resolve, reject);
      else reject(error);
    });
    req.end(body);
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

/**
 * Waits until an entity view (`svc-0`) shows every workload's observations `ok`: the clusters'
 * observed traffic read, so that views join it.
 */
export async function waitForObservations(
  base: string,
  headers: Headers,
): Promise<void> {
  for (;;) {
    const view = (await (
      await fetch(`${base}/mesh-security/entity/component/default/svc-0`, {
        headers,
      })
    ).json()) as any;
    const statuses = new Set(
      view.workloads.map((w: any) => w.observed?.observations?.status),
    );
    if (view.workloads.length && statuses.size === 1 && statuses.has('ok'))
      return;
    await sleep(500);
  }
}
