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
    private readonly options: { timeoutMs: number; maxResponseBytes: number },
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

    signal?.throwIfAborted();
    return new Promise<HttpResult>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const req = transport.request(url, requestOptions, res => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
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
}
