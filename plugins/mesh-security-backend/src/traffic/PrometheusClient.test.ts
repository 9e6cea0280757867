import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import { PrometheusClient, TrafficQueryError } from './PrometheusClient';

const TOKEN = 'prom-canary-token-0123456789';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const QUERY_URL = 'https://prom.example.com/prefix/api/v1/query';
const time = new Date('2026-11-23T12:00:00.000Z');

const client = (
  options: Partial<{
    url: string;
    timeoutMs: number;
    maxBytes: number;
    maxSeries: number;
  }> = {},
) =>
  new PrometheusClient(
    {
      url: options.url ?? 'https://prom.example.com/prefix/',
      bearerToken: TOKEN,
    },
    {
      timeoutMs: options.timeoutMs ?? 2000,
      maxBytes: options.maxBytes ?? 1024 * 1024,
      maxSeries: options.maxSeries ?? 100,
    },
  );

const vector = (result: unknown[]) => ({
  status: 'success',
  data: { resultType: 'vector', result },
});

const series = (labels: Record<string, string>, value: string) => ({
  metric: labels,
  value: [1795435200, value],
});

/** The error a query fails with; the test fails if it does not. */
async function failure(promise: Promise<unknown>): Promise<TrafficQueryError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TrafficQueryError);
    const message = (error as Error).message;
    expect(message).not.toContain(TOKEN);
    expect(message).not.toContain('hunter2');
    return error as TrafficQueryError;
  }
  throw new Error('the query did not fail');
}

describe('PrometheusClient', () => {
  it('POSTs the query with a fixed evaluation time and the token, and reads the vector', async () => {
    let received: { form?: URLSearchParams; auth?: string | null } = {};
    server.use(
      http.post(QUERY_URL, async ({ request }) => {
        received = {
          form: new URLSearchParams(await request.text()),
          auth: request.headers.get('authorization'),
        };
        return HttpResponse.json(
          vector([series({ destination_workload: 'checkout' }, '12.5')]),
        );
      }),
    );
    const answer = await client().query('sum(up)', time);
    expect(received.auth).toBe(`Bearer ${TOKEN}`);
    expect(received.form?.get('query')).toBe('sum(up)');
    expect(received.form?.get('time')).toBe('1795435200.000');
    expect(received.form?.get('timeout')).toBe('2s');
    expect(answer).toEqual({
      labels: [{ destination_workload: 'checkout' }],
      values: Float64Array.from([12.5]),
      truncated: false,
    });
  });

  it('sends URL credentials as basic auth and never shows them', async () => {
    let auth: string | null = null;
    server.use(
      http.post('https://prom.example.com/api/v1/query', ({ request }) => {
        auth = request.headers.get('authorization');
        return HttpResponse.json(
          { status: 'error', error: 'bad' },
          {
            status: 400,
          },
        );
      }),
    );
    const prometheus = new PrometheusClient(
      { url: 'https://reader:hunter2@prom.example.com/?secret=1' },
      { timeoutMs: 1000, maxBytes: 1000, maxSeries: 10 },
    );
    const error = await failure(prometheus.query('up', time));
    expect(auth).toBe(
      `Basic ${Buffer.from('reader:hunter2').toString('base64')}`,
    );
    expect(error.message).toBe(
      'Prometheus https://prom.example.com answered HTTP 400: bad',
    );
    expect(error.message).not.toContain('secret');
  });

  it('keeps at most maxSeries series and flags the answer truncated', async () => {
    server.use(
      http.post(QUERY_URL, () =>
        HttpResponse.json(
          vector([1, 2, 3].map(i => series({ i: String(i) }, String(i)))),
        ),
      ),
    );
    const answer = await client({ maxSeries: 2 }).query('q', time);
    expect(answer.truncated).toBe(true);
    expect([...answer.values]).toEqual([1, 2]);
    expect(answer.labels).toEqual([{ i: '1' }, { i: '2' }]);
  });

  it.each([
    [
      '5xx with an error that echoes the token',
      () =>
        HttpResponse.json(
          { status: 'error', errorType: 'internal', error: `boom ${TOKEN}` },
          { status: 503 },
        ),
      `Prometheus https://prom.example.com/prefix answered HTTP 503: boom <redacted>`,
    ],
    [
      '4xx without JSON',
      () => new HttpResponse('<html>forbidden</html>', { status: 403 }),
      'Prometheus https://prom.example.com/prefix answered HTTP 403',
    ],
    [
      'garbage with 200',
      () => new HttpResponse('not json at all', { status: 200 }),
      'Prometheus https://prom.example.com/prefix answered something other than JSON',
    ],
    [
      'JSON null',
      () => HttpResponse.json(null),
      'Prometheus https://prom.example.com/prefix answered something other than a query result',
    ],
    [
      'status error with 200',
      () => HttpResponse.json({ status: 'error', error: 'x' }),
      'Prometheus https://prom.example.com/prefix answered status "error"',
    ],
    [
      'a matrix',
      () =>
        HttpResponse.json({
          status: 'success',
          data: { resultType: 'matrix', result: [] },
        }),
      'Prometheus https://prom.example.com/prefix answered a result of type "matrix" where an instant vector was expected',
    ],
    [
      'a vector without result',
      () =>
        HttpResponse.json({
          status: 'success',
          data: { resultType: 'vector' },
        }),
      'Prometheus https://prom.example.com/prefix answered a vector without a result list',
    ],
    [
      'a series without value',
      () => HttpResponse.json(vector([{ metric: {} }])),
      'Prometheus https://prom.example.com/prefix answered a malformed series (#1)',
    ],
    [
      'a non-numeric value',
      () => HttpResponse.json(vector([series({}, '1'), series({}, 'lots')])),
      'Prometheus https://prom.example.com/prefix answered a value that is not a non-negative number (series #2)',
    ],
    [
      'NaN',
      () => HttpResponse.json(vector([series({}, 'NaN')])),
      'Prometheus https://prom.example.com/prefix answered a value that is not a non-negative number (series #1)',
    ],
    [
      'a negative value',
      () => HttpResponse.json(vector([series({}, '-1')])),
      'Prometheus https://prom.example.com/prefix answered a value that is not a non-negative number (series #1)',
    ],
    [
      'a numeric label',
      () =>
        HttpResponse.json(
          vector([{ metric: { port: 8080 }, value: [1, '1'] }]),
        ),
      'Prometheus https://prom.example.com/prefix answered a non-string label (series #1)',
    ],
  ])('fails with a safe message on %s', async (_, respond, message) => {
    server.use(http.post(QUERY_URL, respond));
    const error = await failure(client().query('q', time));
    expect(error.message).toBe(message);
  });

  it('refuses an answer larger than maxBytes, declared or streamed', async () => {
    const big = JSON.stringify(
      vector(Array.from({ length: 200 }, (_, i) => series({ i: `${i}` }, '1'))),
    );
    server.use(http.post(QUERY_URL, () => new HttpResponse(big)));
    expect(
      (await failure(client({ maxBytes: 1000 }).query('q', time))).message,
    ).toBe(
      'Prometheus https://prom.example.com/prefix answered more than 1000 bytes (meshSecurity.traffic.maxBytesPerQuery)',
    );
    // Streamed without a length.
    server.use(
      http.post(
        QUERY_URL,
        () =>
          new HttpResponse(
            new ReadableStream({
              start(controller) {
                const bytes = new TextEncoder().encode(big);
                for (let i = 0; i < bytes.length; i += 500) {
                  controller.enqueue(bytes.slice(i, i + 500));
                }
                controller.close();
              },
            }),
          ),
      ),
    );
    expect(
      (await failure(client({ maxBytes: 1000 }).query('q', time))).message,
    ).toContain('answered more than 1000 bytes');
  });

  it('reads UTF-8 label values whole, in one chunk or split inside a character', async () => {
    const text = JSON.stringify(
      vector([
        series({ team: 'équipe-paiements', zone: '東京' }, '3'),
        series({ team: 'ascii-only' }, '2'),
      ]),
    );
    const bytes = new TextEncoder().encode(text);
    // The byte where "é" (two bytes in UTF-8) starts: split between its two bytes.
    const split = bytes.indexOf(0xc3) + 1;
    for (const chunks of [
      [bytes],
      [bytes.slice(0, split), bytes.slice(split)],
    ]) {
      server.use(
        http.post(
          QUERY_URL,
          () =>
            new HttpResponse(
              new ReadableStream({
                start(controller) {
                  for (const chunk of chunks) controller.enqueue(chunk);
                  controller.close();
                },
              }),
            ),
        ),
      );
      const answer = await client().query('q', time);
      expect(answer.labels).toEqual([
        { team: 'équipe-paiements', zone: '東京' },
        { team: 'ascii-only' },
      ]);
      expect([...answer.values]).toEqual([3, 2]);
    }
  });

  it('gives up after the timeout', async () => {
    server.use(
      http.post(QUERY_URL, async () => {
        await delay('infinite');
        return HttpResponse.json(vector([]));
      }),
    );
    const error = await failure(client({ timeoutMs: 50 }).query('q', time));
    expect(error.message).toBe(
      'Prometheus https://prom.example.com/prefix no answer within 50 ms',
    );
  });

  it('stops when the caller cancels', async () => {
    server.use(
      http.post(QUERY_URL, async () => {
        await delay('infinite');
        return HttpResponse.json(vector([]));
      }),
    );
    const controller = new AbortController();
    const pending = client().query('q', time, controller.signal);
    controller.abort();
    expect((await failure(pending)).message).toBe(
      'Prometheus https://prom.example.com/prefix the read was cancelled',
    );
  });

  it('says when the server cannot be reached', async () => {
    server.use(http.post(QUERY_URL, () => HttpResponse.error()));
    expect((await failure(client().query('q', time))).message).toMatch(
      /^Prometheus https:\/\/prom\.example\.com\/prefix could not be reached \(/,
    );
  });
});
