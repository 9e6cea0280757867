import http from 'node:http';
import { AddressInfo } from 'node:net';
import { KubernetesHttp, WatchStatusError } from './kubernetesHttp';

/**
 * KubernetesHttp.watch against a real HTTP server (no msw: its mock transport orders the
 * request/response events differently from Node's), chunked transfer as an API server sends it.
 */
const TOKEN = 'canary-token-0c4d8e';
let server: http.Server;
let handle: (req: http.IncomingMessage, res: http.ServerResponse) => void;
let url: string;

beforeAll(async () => {
  server = http.createServer((req, res) => handle(req, res));
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise(resolve => server.close(resolve));
});

const client = () =>
  new KubernetesHttp(
    { name: 'prod', url, serviceAccountToken: TOKEN, skipTLSVerify: true },
    { timeoutMs: 500, maxResponseBytes: 1024 },
  );

function watch(
  lines: string[],
  limits: { idleTimeoutMs?: number; maxLineBytes?: number } = {},
  signal = new AbortController().signal,
) {
  return client()
    .watch(
      '/api/v1/pods',
      { watch: '1', resourceVersion: '7' },
      line => lines.push(line),
      signal,
      { idleTimeoutMs: 300, maxLineBytes: 64, ...limits },
    )
    .then(
      () => 'ended',
      (error: Error) => error,
    );
}

describe('KubernetesHttp.watch', () => {
  it('delivers lines split across chunks and resolves when the server ends the stream', async () => {
    let query = '';
    let auth: string | undefined;
    handle = (req, res) => {
      query = req.url ?? '';
      auth = req.headers.authorization;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"type":"ADDED","obj');
      setTimeout(() => res.write('ect":1}\n{"a":2}\n\n{"b"'), 20);
      setTimeout(() => res.end(':3}\n'), 40);
    };
    const lines: string[] = [];
    expect(await watch(lines)).toBe('ended');
    expect(lines).toEqual([
      '{"type":"ADDED","object":1}',
      '{"a":2}',
      '{"b":3}',
    ]);
    expect(query).toBe('/api/v1/pods?watch=1&resourceVersion=7');
    expect(auth).toBe(`Bearer ${TOKEN}`);
  });

  it('rejects with the status when the server does not answer 200', async () => {
    handle = (_req, res) => {
      res.writeHead(410, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: 410, message: TOKEN }));
    };
    const error = await watch([]);
    expect(error).toBeInstanceOf(WatchStatusError);
    expect((error as WatchStatusError).status).toBe(410);
    expect((error as Error).message).not.toContain(TOKEN);
  });

  it('rejects when the connection is cut, or ends in the middle of an event', async () => {
    handle = (_req, res) => {
      res.writeHead(200);
      res.write('{"a":1}\n{"half');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const lines: string[] = [];
    expect(String(await watch(lines))).toMatch(/the stream was cut|aborted/);
    expect(lines).toEqual(['{"a":1}']);

    handle = (_req, res) => {
      res.writeHead(200);
      res.end('{"a":1}\n{"half');
    };
    expect(String(await watch([]))).toContain(
      'the stream ended in the middle of an event',
    );
  });

  it('drops a silent stream after the idle timeout, and a line over the bound', async () => {
    handle = (_req, res) => {
      res.writeHead(200);
      res.write('{"a":1}\n'); // then nothing
    };
    expect(String(await watch([], { idleTimeoutMs: 100 }))).toContain(
      'no data (not even a bookmark) for 100 ms',
    );

    handle = (_req, res) => {
      res.writeHead(200);
      res.write(`{"a":"${'x'.repeat(100)}`);
    };
    expect(String(await watch([]))).toContain('an event larger than 64 bytes');
  });

  it('stops delivering when onLine throws, and on abort', async () => {
    handle = (_req, res) => {
      res.writeHead(200);
      res.write('{"a":1}\n{"a":2}\n{"a":3}\n');
    };
    const lines: string[] = [];
    const failure = await client()
      .watch(
        '/api/v1/pods',
        {},
        line => {
          lines.push(line);
          if (lines.length === 2) throw new Error('garbage');
        },
        new AbortController().signal,
        { idleTimeoutMs: 1000, maxLineBytes: 64 },
      )
      .catch((e: Error) => e.message);
    expect(failure).toBe('garbage');
    expect(lines).toHaveLength(2);

    const controller = new AbortController();
    const pending = watch([], { idleTimeoutMs: 5000 }, controller.signal);
    setTimeout(() => controller.abort(new Error('stopped')), 30);
    expect(String(await pending)).toContain('stopped');
  });
});
