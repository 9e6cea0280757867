import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { PrometheusClient } from './PrometheusClient';
import { TrafficObservationsService } from './TrafficObservationsService';
import { TrafficRefresher } from './TrafficRefresher';
import { PrometheusTrafficSource } from './TrafficSource';
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
