/*
 * A client of the Prometheus HTTP API's instant queries (`/api/v1/query`,
 * https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries), which Thanos,
 * Mimir, Cortex and VictoriaMetrics also serve. Every answer is bounded (time, bytes, series) and
 * checked before use; every error message is safe to show: it never holds a token, a password or
 * the URL's credentials or query string.
 */
import { isAscii } from 'node:buffer';

/**
 * An instant vector as answered, at most `maxSeries` long: series `i` has the labels
 * `labels[i]` and the value `values[i]` (two flat arrays rather than an object per series).
 */
export interface VectorAnswer {
  labels: Array<Record<string, string>>;
  values: Float64Array;
  /** The answer had more series than the cap: the rest were dropped. */
  truncated: boolean;
}

/** Where a Prometheus-compatible API is and how to authenticate to it. */
export interface PrometheusEndpoint {
  /** Base URL: `/api/v1/query` is appended to its path. */
  url: string;
  bearerToken?: string;
  basicAuth?: { username: string; password: string };
}

/** Bounds on one query. */
export interface PrometheusClientOptions {
  timeoutMs: number;
  maxBytes: number;
  maxSeries: number;
}

/** A query failed; `message` is safe to show and log. */
export class TrafficQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrafficQueryError';
  }
}

/** Reads instant vectors from one endpoint. */
export class PrometheusClient {
  private readonly queryUrl: string;
  /** The endpoint as shown in messages: no credentials, no query string. */
  readonly displayName: string;
  private readonly headers: Record<string, string>;
  /** What must never appear in a message. */
  private readonly secrets: string[] = [];

  constructor(
    endpoint: PrometheusEndpoint,
    private readonly options: PrometheusClientOptions,
  ) {
    const url = new URL(endpoint.url);
    const username = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    url.username = '';
    url.password = '';
    url.hash = '';
    this.displayName = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    this.headers = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const basic =
      endpoint.basicAuth ?? (username ? { username, password } : undefined);
    if (endpoint.bearerToken) {
      this.headers.authorization = `Bearer ${endpoint.bearerToken}`;
      this.secrets.push(endpoint.bearerToken);
    } else if (basic) {
      const encoded = Buffer.from(
        `${basic.username}:${basic.password}`,
      ).toString('base64');
      this.headers.authorization = `Basic ${encoded}`;
      this.secrets.push(encoded, basic.password);
    }
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/query`;
    this.queryUrl = url.toString();
  }

  /**
   * Evaluates `query` at `time` (POST, form-encoded, as the API accepts). Throws a
   * {@link TrafficQueryError} for anything but a well-formed instant vector of non-negative
   * numbers.
   */
  async query(
    query: string,
    time: Date,
    signal?: AbortSignal,
  ): Promise<VectorAnswer> {
    return this.queryWith(query, time, signal, answer => answer);
  }

  /**
   * As {@link PrometheusClient.query}, handing the checked answer to `consume` in the same
   * synchronous step as its parse: queries read concurrently never hold more than one parsed
   * answer at a time (docs/benchmarks.md "Observed traffic").
   */
  async queryWith<T>(
    query: string,
    time: Date,
    signal: AbortSignal | undefined,
    consume: (answer: VectorAnswer) => T,
  ): Promise<T> {
    const body = new URLSearchParams({
      query,
      time: (time.getTime() / 1000).toFixed(3),
      // Prometheus stops evaluating once ours gives up.
      timeout: `${Math.max(1, Math.floor(this.options.timeoutMs / 1000))}s`,
    });
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const aborted = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let text: string;
    let status: number;
    try {
      const response = await fetch(this.queryUrl, {
        method: 'POST',
        headers: this.headers,
        body: body.toString(),
        signal: aborted,
        redirect: 'error',
      });
      status = response.status;
      text = await this.readBody(response);
    } catch (error) {
      if (error instanceof TrafficQueryError) throw error;
      if (timeout.aborted) {
        throw this.error(`no answer within ${this.options.timeoutMs} ms`);
      }
      if (signal?.aborted) throw this.error('the read was cancelled');
      throw this.error(`could not be reached (${describe(error)})`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw this.error(
        status >= 200 && status < 300
          ? 'answered something other than JSON'
          : `answered HTTP ${status}`,
      );
    }
    if (status < 200 || status >= 300) {
      const error = (parsed as { error?: unknown } | null)?.error;
      throw this.error(
        `answered HTTP ${status}${
          typeof error === 'string'
            ? `: ${this.redact(error).slice(0, 300)}`
            : ''
        }`,
      );
    }
    return consume(
      readVector(parsed, this.options.maxSeries, what => this.error(what)),
    );
  }

  /** The body as text, refusing more than `maxBytes`. */
  private async readBody(response: Response): Promise<string> {
    const declared = Number(response.headers.get('content-length'));
    if (declared > this.options.maxBytes) {
      // Not awaited: a stalled server must not hold the refresh.
      response.body?.cancel().catch(() => {});
      throw this.tooLarge();
    }
    if (!response.body) return '';
    // Chunks joined and decoded here, not by `response.text()`, whose copies and TextDecoder
    // took longer than the JSON.parse of the same answer (docs/benchmarks.md "Observed traffic").
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > this.options.maxBytes) {
        reader.cancel().catch(() => {});
        throw this.tooLarge();
      }
      chunks.push(value);
    }
    const bytes =
      chunks.length === 1
        ? Buffer.from(chunks[0].buffer, chunks[0].byteOffset, total)
        : Buffer.concat(chunks, total);
    // Answers are ASCII almost always (label values may be UTF-8): Node copies ASCII bytes
    // into a string much faster as Latin-1, where every byte is one character as in UTF-8.
    return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  }

  private tooLarge(): TrafficQueryError {
    return this.error(
      `answered more than ${this.options.maxBytes} bytes (meshSecurity.traffic.maxBytesPerQuery)`,
    );
  }

  private error(what: string): TrafficQueryError {
    return new TrafficQueryError(`Prometheus ${this.displayName} ${what}`);
  }

  /** Removes our credentials from a text the server sent back, should it echo them. */
  private redact(text: string): string {
    let redacted = text;
    for (const secret of this.secrets) {
      if (secret) redacted = redacted.split(secret).join('<redacted>');
    }
    return redacted;
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return (error as Error)?.name ?? 'error';
}

/**
 * Checks an instant-query answer (`{status, data: {resultType: 'vector', result}}`) and keeps at
 * most `maxSeries` series. `fail` builds the error for what is wrong.
 */
export function readVector(
  parsed: unknown,
  maxSeries: number,
  fail: (what: string) => Error,
): VectorAnswer {
  const answer = parsed as {
    status?: unknown;
    error?: unknown;
    data?: { resultType?: unknown; result?: unknown };
  };
  if (answer === null || typeof answer !== 'object') {
    throw fail('answered something other than a query result');
  }
  if (answer.status !== 'success') {
    throw fail(
      `answered status ${JSON.stringify(String(answer.status).slice(0, 40))}`,
    );
  }
  const resultType = answer.data?.resultType;
  if (resultType !== 'vector') {
    throw fail(
      `answered a result of type ${
        typeof resultType === 'string'
          ? JSON.stringify(resultType.slice(0, 40))
          : typeof resultType
      } where an instant vector was expected`,
    );
  }
  const result = answer.data?.result;
  if (!Array.isArray(result)) {
    throw fail('answered a vector without a result list');
  }
  const truncated = result.length > maxSeries;
  const kept = truncated ? result.slice(0, maxSeries) : result;
  const labels: Array<Record<string, string>> = new Array(kept.length);
  const values = new Float64Array(kept.length);
  for (let i = 0; i < kept.length; i++) {
    const series = kept[i] as { metric?: unknown; value?: unknown };
    const metric = series?.metric;
    const value = series?.value;
    if (
      metric === null ||
      typeof metric !== 'object' ||
      Array.isArray(metric) ||
      !Array.isArray(value) ||
      value.length !== 2 ||
      typeof value[1] !== 'string'
    ) {
      throw fail(`answered a malformed series (#${i + 1})`);
    }
    const number = Number(value[1]);
    if (!(Number.isFinite(number) && number >= 0)) {
      throw fail(
        `answered a value that is not a non-negative number (series #${i + 1})`,
      );
    }
    for (const label in metric) {
      if (typeof (metric as Record<string, unknown>)[label] !== 'string') {
        throw fail(`answered a non-string label (series #${i + 1})`);
      }
    }
    labels[i] = metric as Record<string, string>;
    values[i] = number;
  }
  return { labels, values, truncated };
}
