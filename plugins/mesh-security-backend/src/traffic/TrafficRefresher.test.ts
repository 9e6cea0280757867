import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PrometheusClient } from './PrometheusClient';
import { TrafficObservationsService } from './TrafficObservationsService';
import { TrafficRefresher } from './TrafficRefresher';
import {
  PrometheusTrafficSource,
  RecordedTrafficSource,
} from './TrafficSource';
import { TrafficStore } from './TrafficStore';
import { NO_TRAFFIC } from './flows';

const TOKEN = 'traffic-canary-token';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const windows = { recentSeconds: 3600, evidenceSeconds: 604800 };
const QUERY_URL = 'http://prom.test/api/v1/query';

const newCache = () =>
  CacheManager.fromConfig(
    mockServices.rootConfig({
      data: { backend: { cache: { store: 'memory' } } },
    }),
  ).forPlugin('mesh-security');

function prometheusSource(meshes: Array<'istio' | 'linkerd'> = ['istio']) {
  return new PrometheusTrafficSource(
    'prod',
    new PrometheusClient(
      { url: 'http://prom.test', bearerToken: TOKEN },
      { timeoutMs: 1000, maxBytes: 100_000, maxSeries: 100 },
    ),
    {
      ...windows,
      lastSeenResolutionSeconds: 300,
      meshes,
      selector: { label: 'cluster', value: 'prod' },
      now: () => new Date('2026-11-23T12:00:00Z'),
    },
  );
}

const SHOP_WEB = {
  destination_workload_namespace: 'shop',
  destination_workload: 'checkout',
  source_workload_namespace: 'shop',
  source_workload: 'web',
  source_principal: 'spiffe://cluster.local/ns/shop/sa/web',
};

/**
 * Answers every query; Istio requests get one mTLS series, last seen at `lastSeen` (seconds;
 * 11:50 by default, ten minutes before the read).
 */
function answering(queries: string[], lastSeen = '1795434600') {
  return http.post(QUERY_URL, async ({ request }) => {
    const query = new URLSearchParams(await request.text()).get('query')!;
    queries.push(query);
    if (query.startsWith('max_over_time(')) {
      return HttpResponse.json({
        status: 'success',
        data: {
          resultType: 'vector',
          result: query.includes('istio_requests_total')
            ? [{ metric: SHOP_WEB, value: [1795435200, lastSeen] }]
            : [],
        },
      });
    }
    const result =
      query.includes('istio_requests_total') && !query.includes('"403"')
        ? [
            {
              metric: {
                destination_workload_namespace: 'shop',
                destination_workload: 'checkout',
                source_workload_namespace: 'shop',
                source_workload: 'web',
                source_principal: 'spiffe://cluster.local/ns/shop/sa/web',
                connection_security_policy: 'mutual_tls',
              },
              value: [1, query.includes('[3600s]') ? '10' : '700'],
            },
          ]
        : [];
    return HttpResponse.json({
      status: 'success',
      data: { resultType: 'vector', result },
    });
  });
}

describe('TrafficRefresher and TrafficObservationsService', () => {
  it('reads a cluster with one query per family and window, and every replica serves it', async () => {
    const cache = newCache();
    const queries: string[] = [];
    server.use(answering(queries));
    const logger = mockServices.logger.mock();
    const refresher = new TrafficRefresher(
      prometheusSource(['istio', 'linkerd']),
      new TrafficStore(cache),
      logger,
      { windows, now: () => new Date('2026-11-23T12:00:05Z') },
    );
    expect(await refresher.refresh()).toBe('read');
    // 4 Istio + 4 Linkerd families, 2 windows, and last seen per mesh; all of cluster prod only.
    expect(queries).toHaveLength(18);
    expect(queries.every(q => q.includes('cluster="prod"'))).toBe(true);

    // Another replica: its own store over the same cache.
    const reader = new TrafficObservationsService(new TrafficStore(cache), {
      sources: new Map([['prod', 'prometheus' as const]]),
      windows,
    });
    const observations = await reader.observations('prod');
    expect(observations).toEqual({
      cluster: 'prod',
      status: 'ok',
      source: 'prometheus',
      fetchedAt: '2026-11-23T12:00:05.000Z',
      windows,
      truncated: false,
      flows: [
        expect.objectContaining({
          mesh: 'istio',
          to: { namespace: 'shop', name: 'checkout' },
          recent: { mtls: 10, plaintext: 0, denied: 0 },
          evidence: { mtls: 700, plaintext: 0, denied: 0 },
          lastSeen: '2026-11-23T11:50:00.000Z',
        }),
      ],
    });
    // Page views cost no query, and are served from the replica's last decoded record.
    expect(await reader.observations('prod')).toBe(observations);
    expect(queries).toHaveLength(18);
  });

  it('shares sources, receiving workloads and empty windows on a replica that decodes', async () => {
    const cache = newCache();
    const to = { namespace: 'shop', name: 'checkout' };
    const from = {
      kind: 'identity' as const,
      identity: 'spiffe://x/ns/a/sa/b',
    };
    const flow = (port: number) => ({
      mesh: 'linkerd' as const,
      to,
      port,
      from,
      protocol: 'http' as const,
      recent: { mtls: 0, plaintext: 0, denied: 0 },
      evidence: { mtls: port, plaintext: 0, denied: 0 },
      lastSeen: '2026-11-23T11:55:00.000Z',
    });
    await new TrafficStore(cache).put({
      cluster: 'prod',
      status: 'ok',
      windows,
      truncated: false,
      flows: [flow(80), flow(8080)],
    });
    const decoded = (await new TrafficStore(cache).get('prod'))!.flows;
    expect(decoded.map(f => f.evidence.mtls)).toEqual([80, 8080]);
    expect(decoded[0].to).toBe(decoded[1].to);
    expect(decoded[0].from).toBe(decoded[1].from);
    expect(decoded[0].recent).toBe(NO_TRAFFIC);
    expect(decoded[1].recent).toBe(NO_TRAFFIC);
    expect(decoded[1].lastSeen).toBe('2026-11-23T11:55:00.000Z');
  });

  it.each([
    ['in the future', '1795435800'],
    ['before the evidence window', '1794000000'],
  ])('fails closed on a last-seen time %s', async (_what, lastSeen) => {
    const cache = newCache();
    server.use(answering([], lastSeen));
    const logger = mockServices.logger.mock();
    const refresher = new TrafficRefresher(
      prometheusSource(),
      new TrafficStore(cache),
      logger,
      { windows, now: () => new Date('2026-11-23T12:00:00Z') },
    );
    expect(await refresher.refresh()).toBe('failed');
    const observations = await new TrafficStore(cache).get('prod');
    expect(observations).toMatchObject({
      status: 'unavailable',
      message:
        'Prometheus http://prom.test answered a last-seen time outside the evidence window (series #1)',
      flows: [],
    });
  });

  it('keeps the last good observations flagged stale, with a safe message', async () => {
    const cache = newCache();
    const logger = mockServices.logger.mock();
    let now = new Date('2026-11-23T12:00:00Z');
    const refresher = new TrafficRefresher(
      prometheusSource(),
      new TrafficStore(cache),
      logger,
      { windows, now: () => now },
    );
    server.use(answering([]));
    await refresher.refresh();
    server.use(
      http.post(QUERY_URL, () =>
        HttpResponse.json(
          { status: 'error', error: `upstream said ${TOKEN}` },
          { status: 502 },
        ),
      ),
    );
    now = new Date('2026-11-23T12:05:00Z');
    expect(await refresher.refresh()).toBe('failed');
    const reader = new TrafficObservationsService(new TrafficStore(cache), {
      sources: new Map([['prod', 'prometheus' as const]]),
      windows,
    });
    const observations = await reader.observations('prod');
    expect(observations.status).toBe('stale');
    expect(observations.fetchedAt).toBe('2026-11-23T12:00:00.000Z');
    expect(observations.flows).toHaveLength(1);
    expect(observations.message).toBe(
      'Prometheus http://prom.test answered HTTP 502: upstream said <redacted>',
    );
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain(TOKEN);
    // Still failing: still stale, still the first good read's time.
    now = new Date('2026-11-23T12:10:00Z');
    await refresher.refresh();
    expect(await reader.observations('prod')).toMatchObject({
      status: 'stale',
      fetchedAt: '2026-11-23T12:00:00.000Z',
    });
  });

  it('stores unavailable when no read ever succeeded', async () => {
    const cache = newCache();
    server.use(http.post(QUERY_URL, () => HttpResponse.error()));
    await new TrafficRefresher(
      prometheusSource(),
      new TrafficStore(cache),
      mockServices.logger.mock(),
      { windows },
    ).refresh();
    const reader = new TrafficObservationsService(new TrafficStore(cache), {
      sources: new Map([['prod', 'prometheus' as const]]),
      windows,
    });
    expect(await reader.observations('prod')).toMatchObject({
      status: 'unavailable',
      source: 'prometheus',
      flows: [],
      message: expect.stringMatching(
        /^Prometheus http:\/\/prom\.test could not be reached/,
      ),
    });
    expect(await reader.observations('staging')).toEqual({
      cluster: 'staging',
      status: 'not-configured',
      windows,
      truncated: false,
      flows: [],
    });
  });

  it('never throws when the cache cannot store, and logs no internals', async () => {
    const cache = newCache();
    const broken = {
      ...cache,
      set: async () => {
        throw new Error('redis is down');
      },
    };
    server.use(answering([]));
    const logger = mockServices.logger.mock();
    await expect(
      new TrafficRefresher(
        prometheusSource(),
        new TrafficStore(broken),
        logger,
        {
          windows,
        },
      ).refresh(),
    ).resolves.toBe('failed');
    expect(logger.warn).toHaveBeenCalledWith(
      'Mesh Security: Reading the traffic of cluster prod failed (Error)',
    );
  });

  it('says unavailable before the first read and when the cache fails', async () => {
    const cache = newCache();
    const sources = new Map([['prod', 'prometheus' as const]]);
    expect(
      await new TrafficObservationsService(new TrafficStore(cache), {
        sources,
        windows,
      }).observations('prod'),
    ).toMatchObject({
      status: 'unavailable',
      message: 'Observed traffic has not been read yet',
    });
    const broken = {
      ...cache,
      get: async () => {
        throw new Error('redis is down');
      },
    };
    expect(
      await new TrafficObservationsService(new TrafficStore(broken), {
        sources,
        windows,
      }).observations('prod'),
    ).toMatchObject({
      status: 'unavailable',
      message: 'Observed traffic could not be read from the cache',
    });
  });
});

describe('RecordedTrafficSource', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-recorded-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const source = (content: unknown, maxBytes = 100_000) => {
    const file = path.join(dir, 'traffic.json');
    fs.writeFileSync(
      file,
      typeof content === 'string' ? content : JSON.stringify(content),
    );
    return new RecordedTrafficSource('demo', file, { maxBytes, maxSeries: 10 });
  };
  const recording = (answers: Record<string, unknown>) => ({
    clusters: { demo: { windows, answers } },
  });

  it('reads recorded answers through the same checks as live ones', async () => {
    const read = await source(
      recording({
        'linkerd-requests/evidence': {
          status: 'success',
          data: {
            resultType: 'vector',
            result: [
              {
                metric: {
                  namespace: 'data',
                  deployment: 'etl-worker',
                  target_port: '9100',
                  tls: 'true',
                  client_id:
                    'p.m.serviceaccount.identity.linkerd.cluster.local',
                },
                value: [1, '5'],
              },
            ],
          },
        },
      }),
    ).read();
    expect(read).toMatchObject({
      windows,
      truncated: false,
      queries: 0,
      flows: [
        {
          mesh: 'linkerd',
          port: 9100,
          evidence: { mtls: 5, plaintext: 0, denied: 0 },
        },
      ],
    });
  });

  it.each([
    ['not JSON', '{', 'Recorded traffic of cluster demo is not JSON'],
    [
      'without the cluster',
      { clusters: {} },
      'Recorded traffic of cluster demo is not in the file',
    ],
    [
      'without windows',
      { clusters: { demo: { answers: {} } } },
      'Recorded traffic of cluster demo has no valid windows',
    ],
    [
      'with an unknown query',
      recording({ 'up/recent': {} }),
      'Recorded traffic of cluster demo has an answer for an unknown query "up/recent"',
    ],
    [
      'recorded in the future',
      { recordedAt: '2999-01-01T00:00:00Z', ...recording({}) },
      'Recorded traffic of cluster demo has a recordedAt that is not a past time',
    ],
    [
      'recorded at no time',
      { recordedAt: 'yesterday', ...recording({}) },
      'Recorded traffic of cluster demo has a recordedAt that is not a past time',
    ],
    [
      'with a matrix',
      recording({
        'istio-requests/recent': {
          status: 'success',
          data: { resultType: 'matrix', result: [] },
        },
      }),
      'Recorded traffic of cluster demo (istio-requests/recent) answered a result of type "matrix" where an instant vector was expected',
    ],
  ])('fails clearly on a file %s', async (_, content, message) => {
    await expect(source(content).read()).rejects.toThrow(message);
  });

  it('reads the demo recording as catalog/demo-traffic/README.md tells it', async () => {
    const read = await new RecordedTrafficSource(
      'demo',
      path.resolve(
        __dirname,
        '../../../../catalog/demo-traffic/recorded-traffic.json',
      ),
      { maxBytes: 1024 * 1024, maxSeries: 1000 },
    ).read();
    // Its windows end at the demo's date of reference, not when it is read.
    expect(read.recordedAt).toBe('2026-11-23T12:00:00.000Z');
    const seen = (to: string, port?: number) =>
      read.flows.filter(
        f => `${f.to.namespace}/${f.to.name}` === to && f.port === port,
      );
    // checkout: PERMISSIVE; its plaintext caller's requests were all refused (403): none
    // accepted, so enforcing STRICT breaks nobody.
    expect(
      seen('storefront/checkout').map(f => [f.from.kind, f.evidence]),
    ).toEqual([
      ['workload', { mtls: 13440, plaintext: 0, denied: 0 }],
      ['unknown', { mtls: 0, plaintext: 0, denied: 576 }],
    ]);
    // storefront-web: PERMISSIVE, plaintext accepted from outside the mesh: not ready.
    expect(seen('storefront/storefront-web').map(f => f.evidence)).toEqual([
      { mtls: 0, plaintext: 20160, denied: 0 },
    ]);
    // etl-worker:9100: PERMISSIVE with only mTLS: ready.
    expect(seen('data/etl-worker', 9100).map(f => f.evidence)).toEqual([
      { mtls: 2688, plaintext: 0, denied: 0 },
    ]);
    // inventory: storefront-web connects, checkout's grant goes unused, and ztunnel refuses
    // legacy-billing's plaintext (opened, then closed with DENY: refused, not accepted).
    expect(
      seen('inventory/inventory').map(f => [
        f.from.kind === 'workload' ? f.from.name : f.from.kind,
        f.evidence,
      ]),
    ).toEqual([
      ['storefront-web', { mtls: 3360, plaintext: 0, denied: 0 }],
      ['legacy-billing', { mtls: 0, plaintext: 0, denied: 480 }],
    ]);
    // Denied callers, reported by Istio (403) and Linkerd (authorization deny counter).
    expect(
      seen('payments/payments-api').find(
        f => f.from.kind === 'workload' && f.from.name === 'storefront-web',
      )?.recent.denied,
    ).toBe(4);
    expect(seen('data/analytics-api', 8080)[1].evidence.denied).toBe(192);
  });

  it('says when the data was recorded, where its windows end, to every replica', async () => {
    const recorded = source({
      recordedAt: '2026-11-23T12:00:00Z',
      ...recording({}),
    });
    expect((await recorded.read()).recordedAt).toBe('2026-11-23T12:00:00.000Z');
    const cache = newCache();
    await new TrafficRefresher(
      recorded,
      new TrafficStore(cache),
      mockServices.logger.mock(),
      { windows, now: () => new Date('2026-12-07T09:00:00Z') },
    ).refresh();
    const reader = new TrafficObservationsService(new TrafficStore(cache), {
      sources: new Map([['demo', 'recorded' as const]]),
      windows,
    });
    expect(await reader.observations('demo')).toMatchObject({
      status: 'ok',
      source: 'recorded',
      fetchedAt: '2026-12-07T09:00:00.000Z',
      recordedAt: '2026-11-23T12:00:00.000Z',
    });
    // A file without it reads as before, without one.
    expect((await source(recording({})).read()).recordedAt).toBeUndefined();
  });

  it('refuses a file over the byte cap and says when it is missing', async () => {
    await expect(source(recording({}), 10).read()).rejects.toThrow(
      'is larger than 10 bytes',
    );
    await expect(
      new RecordedTrafficSource('demo', path.join(dir, 'none.json'), {
        maxBytes: 10,
        maxSeries: 10,
      }).read(),
    ).rejects.toThrow(
      'Recorded traffic of cluster demo could not be read (ENOENT)',
    );
  });
});
