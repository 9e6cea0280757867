import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TrafficObservationsService } from './TrafficObservationsService';
import { TrafficRefresher } from './TrafficRefresher';
import { RecordedTrafficSource } from './TrafficSource';
import { TrafficStore } from './TrafficStore';

/*
 * The recorded source (docs/traffic.md "Recorded data"): a file of query answers read through
 * the same checks as live ones, for the demo and for clusters without a reachable Prometheus.
 */

const windows = { recentSeconds: 3600, evidenceSeconds: 604800 };

const newCache = () =>
  CacheManager.fromConfig(
    mockServices.rootConfig({
      data: { backend: { cache: { store: 'memory' } } },
    }),
  ).forPlugin('mesh-security');

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
