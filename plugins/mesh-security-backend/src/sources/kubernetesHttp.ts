import { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';

/** How to reach one cluster, as configured for `@backstage/plugin-kubernetes`. */
export interface KubernetesClusterConfig {
  name: string;
  url: string;
  serviceAccountToken?: string;
  caData?: string;
  caFile?: string;
  skipTLSVerify?: boolean;
}

export interface HttpResult {
  status: number;
  /** The parsed JSON body; undefined when the body was empty or not JSON. */
  body: unknown;
  /** The body was not empty but not JSON either. */
  invalidJson: boolean;
}

function ensureTrailingSlash(url: URL): URL {
  const copy = new URL(url.toString());
  if (!copy.pathname.endsWith('/')) copy.pathname += '/';
  return copy;
}

/** An error's message, stripped of anything that could carry a credential. */
function safeMessage(error: Error): string {
  return error.message.replace(/Bearer\s+\S+/gi, 'Bearer ***').slice(0, 200);
}

/** A watch the server answered with a status other than 200 (404, 403, 410, 401, 5xx…). */
export class WatchStatusError extends Error {
  constructor(readonly status: number, path: string) {
    super(`HTTP ${status} watching ${path}`);
  }
}

/**
 * Minimal JSON-over-HTTPS client for one cluster. Credentials and TLS settings come from
 * `@kubernetes/client-node`'s KubeConfig (token, CA data or file, skipTLSVerify), so they are
 * applied exactly as the Kubernetes plugin applies them; requests have a hard timeout and a
 * response-size cap. Error messages never include the token or the upstream body.
 */
export class KubernetesHttp {
  private readonly kubeConfig: KubeConfig;
  private readonly baseUrl: URL;

  constructor(
    private readonly cluster: KubernetesClusterConfig,
    private readonly options: {
      timeoutMs: number;
      maxResponseBytes: number;
      /** Told the size of every chunk received (lists and watch streams), for the benchmark. */
      onBytes?: (bytes: number) => void;
    },
  ) {
    this.baseUrl = new URL(cluster.url);
    this.kubeConfig = new KubeConfig();
    this.kubeConfig.loadFromClusterAndUser(
      {
        name: cluster.name,
        server: cluster.url,
        caData: cluster.caData,
        caFile: cluster.caFile,
        skipTLSVerify: Boolean(cluster.skipTLSVerify),
      },
      { name: `${cluster.name}-reader`, token: cluster.serviceAccountToken },
    );
  }

  /**
   * GETs `path`. `signal` aborts the request: the promise then rejects with the signal's reason
   * as it is (not as a connection failure).
   */
  async getJson(
    path: string,
    query: Record<string, string | undefined> = {},
    signal?: AbortSignal,
  ): Promise<HttpResult> {
    const { url, requestOptions, transport } = await this.prepare(path, query);

    signal?.throwIfAborted();
    return new Promise<HttpResult>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const req = transport.request(url, requestOptions, res => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          this.options.onBytes?.(chunk.length);
          if (size > this.options.maxResponseBytes) {
            req.destroy(
              new Error(
                `response larger than ${this.options.maxResponseBytes} bytes`,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = undefined;
          let invalidJson = false;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            invalidJson = true;
          }
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body, invalidJson });
        });
        res.on('error', reject);
      });
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
        req.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // A wall-clock deadline for the whole exchange (socket timeouts only catch idle sockets).
      timer = setTimeout(() => {
        req.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      req.on('close', () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      });
      req.on('error', error => {
        clearTimeout(timer);
        reject(
          new Error(
            `cannot reach cluster ${this.cluster.name}: ${safeMessage(error)}`,
          ),
        );
      });
      req.end();
    });
  }

  /**
   * Opens a watch: GETs `path` with `query` (the caller sets `watch=1`, `resourceVersion`,
   * `allowWatchBookmarks`, `timeoutSeconds`) and hands every newline-delimited line of the
   * chunked body to `onLine`, in order, as it arrives. Resolves when the server ends the stream
   * (the normal end of a watch is the server's `timeoutSeconds`). Rejects with
   * {@link WatchStatusError} when the server answers anything but 200 (its body is discarded),
   * and with a plain Error when the connection fails, no byte (not even a bookmark) arrives for
   * `idleTimeoutMs`, a line exceeds `maxLineBytes`, the stream ends in the middle of a line, or
   * `onLine` throws (the stream is then closed: no later line is delivered). `signal` aborts the
   * stream: the promise rejects with the signal's reason. Messages never carry the token.
   */
  async watch(
    path: string,
    query: Record<string, string | undefined>,
    onLine: (line: string) => void,
    signal: AbortSignal,
    limits: {
      idleTimeoutMs: number;
      maxLineBytes: number;
      /** Called when the server has answered 200: the stream is open. */
      onOpen?: () => void;
    },
  ): Promise<void> {
    const { url, requestOptions, transport } = await this.prepare(path, query);
    signal.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let idle: NodeJS.Timeout | undefined = undefined;
      let req: http.ClientRequest | undefined = undefined;
      let onAbort = () => {};
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        signal.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const fail = (error: unknown) => {
        finish(error);
        req?.destroy();
      };
      // Until the headers arrive the request timeout applies, then the idle timeout.
      const arm = (ms: number, what: string) => {
        clearTimeout(idle);
        idle = setTimeout(
          () =>
            fail(
              new Error(
                `watch ${path} of cluster ${this.cluster.name}: ${what} for ${ms} ms`,
              ),
            ),
          ms,
        );
      };
      let responded = false;
      req = transport.request(url, requestOptions, res => {
        responded = true;
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          res.resume(); // discard the body: it is never shown
          fail(new WatchStatusError(status, path));
          return;
        }
        arm(limits.idleTimeoutMs, 'no data (not even a bookmark)');
        limits.onOpen?.();
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          this.options.onBytes?.(chunk.length);
          arm(limits.idleTimeoutMs, 'no data (not even a bookmark)');
          let start = 0;
          for (;;) {
            const newline = chunk.indexOf(10, start);
            const end = newline < 0 ? chunk.length : newline;
            pendingBytes += end - start;
            if (pendingBytes > limits.maxLineBytes) {
              fail(
                new Error(
                  `watch ${path} of cluster ${this.cluster.name}: an event larger than ${limits.maxLineBytes} bytes`,
                ),
              );
              return;
            }
            if (newline < 0) {
              if (end > start) pending.push(chunk.subarray(start, end));
              return;
            }
            pending.push(chunk.subarray(start, end));
            const line = Buffer.concat(pending).toString('utf8');
            pending = [];
            pendingBytes = 0;
            start = newline + 1;
            if (line.trim() !== '') {
              try {
                onLine(line);
              } catch (error) {
                fail(error);
                return;
              }
              if (settled) return;
            }
          }
        });
        const ended = () => {
          if (pendingBytes > 0 && Buffer.concat(pending).toString().trim()) {
            finish(
              new Error(
                `watch ${path} of cluster ${this.cluster.name}: the stream ended in the middle of an event`,
              ),
            );
          } else finish();
        };
        res.on('end', ended);
        res.on('close', () => {
          if (res.complete) ended();
          else
            finish(
              new Error(
                `watch ${path} of cluster ${this.cluster.name}: the stream was cut`,
              ),
            );
        });
        res.on('error', error =>
          finish(
            new Error(
              `watch ${path} of cluster ${this.cluster.name}: ${safeMessage(
                error,
              )}`,
            ),
          ),
        );
      });
      onAbort = () => fail(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      arm(this.options.timeoutMs, 'no answer');
      req.on('close', () => {
        // Once the response has begun, its own end/close events decide.
        if (!responded)
          finish(
            new Error(
              `watch ${path} of cluster ${this.cluster.name}: the connection closed`,
            ),
          );
      });
      req.on('error', error =>
        finish(
          new Error(
            `cannot reach cluster ${this.cluster.name}: ${safeMessage(error)}`,
          ),
        ),
      );
      req.end();
    });
  }

  private async prepare(
    path: string,
    query: Record<string, string | undefined>,
  ) {
    const url = new URL(
      path.replace(/^\//, ''),
      ensureTrailingSlash(this.baseUrl),
    );
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    const requestOptions: https.RequestOptions = {
      method: 'GET',
      headers: { accept: 'application/json' },
    };
    await this.kubeConfig.applyToHTTPSOptions(requestOptions);
    const transport = url.protocol === 'http:' ? http : https;
    return { url, requestOptions, transport };
  }
}
