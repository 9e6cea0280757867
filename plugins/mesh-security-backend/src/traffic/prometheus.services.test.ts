/*
 * Against a real Prometheus (Debian's `prometheus` package): the demo's history is written as
 * OpenMetrics, turned into TSDB blocks by `promtool tsdb create-blocks-from openmetrics`, and
 * served by a throwaway `prometheus` on a loopback port. Queries are evaluated at a fixed time,
 * so every count is exact. The recorded answers the demo ships (catalog/demo-traffic) are checked
 * to be what this Prometheus answers; MESH_SECURITY_UPDATE_RECORDED_TRAFFIC=1 rewrites them.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  DEMO_TRAFFIC_TIME,
  demoOpenMetrics,
} from '../__testUtils__/demoTraffic';
import { PrometheusClient } from './PrometheusClient';
import {
  PrometheusTrafficSource,
  RecordedTrafficSource,
  TrafficRead,
} from './TrafficSource';

const RECORDED = path.resolve(
  __dirname,
  '../../../../catalog/demo-traffic/recorded-traffic.json',
);
const windows = { recentSeconds: 3600, evidenceSeconds: 7 * 24 * 3600 };

let dir: string;
let prometheus: ChildProcess | undefined;
let baseUrl: string;
let log = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  for (const binary of ['prometheus', 'promtool']) {
    try {
      execFileSync(binary, ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error(
        `${binary} not found: install Debian's 'prometheus' package (node .ci/setup.js --with-system-packages)`,
      );
    }
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-prometheus-'));
  const metrics = path.join(dir, 'demo.om.txt');
  fs.writeFileSync(metrics, demoOpenMetrics());
  const data = path.join(dir, 'data');
  execFileSync(
    'promtool',
    ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', metrics, data],
    { stdio: 'pipe' },
  );
  const config = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(config, 'global:\n  scrape_interval: 1m\n');
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${data}`,
      '--storage.tsdb.retention.time=100y',
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stderr?.on('data', chunk => {
    log = (log + chunk).slice(-4000);
  });
  // Ready once it answers /-/ready (loading the blocks takes a moment).
  for (;;) {
    if (prometheus.exitCode !== null) {
      throw new Error(`prometheus exited: ${log}`);
    }
    try {
      if ((await fetch(`${baseUrl}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}, 120_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise(resolve => prometheus!.once('exit', resolve));
    prometheus.kill('SIGTERM');
    await exited;
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The demo history has a sample every 15 minutes: last seen at 30 minutes, two samples a step. */
const RESOLUTION_SECONDS = 1800;

function source(now = DEMO_TRAFFIC_TIME, cluster = 'demo') {
  return new PrometheusTrafficSource(
    'demo',
    new PrometheusClient(
      { url: baseUrl },
      { timeoutMs: 20_000, maxBytes: 1024 * 1024, maxSeries: 1000 },
    ),
    {
      ...windows,
      lastSeenResolutionSeconds: RESOLUTION_SECONDS,
      meshes: ['istio', 'linkerd'],
      selector: { label: 'cluster', value: cluster },
      now: () => now,
    },
  );
}

/** The flows as readable rows, sorted. */
function rows(read: TrafficRead) {
  return read.flows
    .map(f => {
      let from = 'unknown';
      if (f.from.kind === 'workload')
        from = `${f.from.namespace}/${f.from.name}`;
      if (f.from.kind === 'identity') from = f.from.identity;
      return [
        f.mesh,
        `${f.to.namespace}/${f.to.name}${f.port ? `:${f.port}` : ''}`,
        f.protocol,
        from,
        `recent ${f.recent.mtls}/${f.recent.plaintext}/${f.recent.denied}`,
        `evidence ${f.evidence.mtls}/${f.evidence.plaintext}/${f.evidence.denied}`,
        `seen ${f.lastSeen ?? '-'}`,
      ].join(' ');
    })
    .sort();
}

// mTLS/plaintext/denied per window: 4 steps of 15 minutes in the hour, 672 in the week.
const EXPECTED = [
  // Refused by ztunnel (opened, then closed with response_flags="DENY"): not accepted plaintext.
  'istio inventory/inventory tcp legacy/legacy-billing recent 0/0/4 evidence 0/0/480 seen 2026-11-23T12:00:00.000Z',
  'istio inventory/inventory tcp storefront/storefront-web recent 20/0/0 evidence 3360/0/0 seen 2026-11-23T12:00:00.000Z',
  'istio payments/payments-api http storefront/checkout recent 40/0/0 evidence 6720/0/0 seen 2026-11-23T12:00:00.000Z',
  'istio payments/payments-api http storefront/storefront-web recent 0/0/4 evidence 0/0/672 seen 2026-11-23T12:00:00.000Z',
  'istio payments/payments-ledger tcp payments/payments-api recent 4/0/0 evidence 672/0/0 seen 2026-11-23T12:00:00.000Z',
  'istio storefront/checkout http storefront/storefront-web recent 80/0/0 evidence 13440/0/0 seen 2026-11-23T12:00:00.000Z',
  'istio storefront/checkout http unknown recent 0/0/8 evidence 0/0/576 seen 2026-11-23T12:00:00.000Z',
  'istio storefront/storefront-web http unknown recent 0/120/0 evidence 0/20160/0 seen 2026-11-23T12:00:00.000Z',
  'linkerd data/analytics-api:8080 http data/etl-worker recent 24/0/0 evidence 4032/0/0 seen 2026-11-23T12:00:00.000Z'.replace(
    'data/etl-worker',
    'etl-worker.data.serviceaccount.identity.linkerd.cluster.local',
  ),
  'linkerd data/analytics-api:8080 http unknown recent 0/0/4 evidence 0/0/192 seen 2026-11-23T12:00:00.000Z',
  'linkerd data/etl-worker:9100 http prometheus.linkerd-viz.serviceaccount.identity.linkerd.cluster.local recent 16/0/0 evidence 2688/0/0 seen 2026-11-23T12:00:00.000Z',
].sort();

describe('observed traffic from a real Prometheus', () => {
  it('reads the demo history into exact flows of the selected cluster only', async () => {
    const read = await source().read();
    expect(read.truncated).toBe(false);
    // 8 families × 2 windows, and one last-seen query per mesh.
    expect(read.queries).toBe(18);
    expect(rows(read)).toEqual(EXPECTED);
  });

  it('reads what a waypoint reports, and never what a client reports', async () => {
    const read = await source(DEMO_TRAFFIC_TIME, 'ambient-lab').read();
    expect(rows(read)).toEqual([
      // The waypoint's report: its client, not counted twice with the client's own report.
      'istio shop/b http shop/a recent 12/0/0 evidence 2016/0/0 seen 2026-11-23T12:00:00.000Z',
      // b's ztunnel: the waypoint's hop, which the engine does not count as a caller.
      'istio shop/b tcp shop/waypoint recent 4/0/0 evidence 672/0/0 seen 2026-11-23T12:00:00.000Z',
    ]);
  });

  it("reads Linkerd's refusals of requests no route serves, and not their connections", async () => {
    const read = await source(DEMO_TRAFFIC_TIME, 'linkerd-lab').read();
    const identity = (name: string) =>
      `${name}.shop.serviceaccount.identity.linkerd.cluster.local`;
    expect(rows(read)).toEqual([
      // Every request matched no route: refused, although its connections were accepted.
      `linkerd shop/catalog:8080 http ${identity(
        'crawler',
      )} recent 0/0/8 evidence 0/0/1344 seen 2026-11-23T12:00:00.000Z`,
      // 3 requests a step served, 1 refused by its route's authorizations, 1 matching no route.
      `linkerd shop/catalog:8080 http ${identity(
        'web',
      )} recent 12/0/8 evidence 2016/0/1344 seen 2026-11-23T12:00:00.000Z`,
    ]);
  });

  it('says when traffic was last seen, not when it was read', async () => {
    // Two hours after the history ends: nothing in the recent window, every flow last seen at
    // the history's last step (12:00).
    const later = new Date(DEMO_TRAFFIC_TIME.getTime() + 2 * 3600 * 1000);
    const read = await source(later).read();
    expect(read.flows.length).toBe(EXPECTED.length);
    for (const flow of read.flows) {
      expect(flow.recent).toEqual({ mtls: 0, plaintext: 0, denied: 0 });
      expect(flow.lastSeen).toBe('2026-11-23T12:00:00.000Z');
    }
    // Two and a half days before: Linkerd's refused plaintext (the last two days) is not there
    // yet, and the rest was last seen at the step of the read.
    const earlier = new Date(DEMO_TRAFFIC_TIME.getTime() - 60 * 3600 * 1000);
    const before = await source(earlier).read();
    expect(before.flows.length).toBe(EXPECTED.length - 1);
    expect(new Set(before.flows.map(f => f.lastSeen))).toEqual(
      new Set(['2026-11-21T00:00:00.000Z']),
    );
  });

  it('gives, for the recorded demo data, what this Prometheus answers', async () => {
    const answers: Record<string, unknown> = {};
    for (const { family, window, query } of source().queries()) {
      const response = await fetch(`${baseUrl}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          query,
          time: String(DEMO_TRAFFIC_TIME.getTime() / 1000),
        }).toString(),
      });
      const answer = (await response.json()) as {
        data: { result: Array<{ metric: Record<string, string> }> };
      };
      // A stable order, so the file changes only when the answers do.
      answer.data.result.sort((a, b) =>
        JSON.stringify(a.metric) < JSON.stringify(b.metric) ? -1 : 1,
      );
      answers[`${family}/${window}`] = answer;
    }
    const recording = {
      description:
        'Recorded Prometheus answers for the demo cluster (catalog/demo-traffic/README.md); regenerate with MESH_SECURITY_UPDATE_RECORDED_TRAFFIC=1 npm run test:services',
      recordedAt: DEMO_TRAFFIC_TIME.toISOString(),
      clusters: { demo: { windows, answers } },
    };
    const text = `${JSON.stringify(recording, null, 1)}\n`;
    if (process.env.MESH_SECURITY_UPDATE_RECORDED_TRAFFIC === '1') {
      fs.writeFileSync(RECORDED, text);
    }
    expect(JSON.parse(fs.readFileSync(RECORDED, 'utf8'))).toEqual(recording);
    const recorded = await new RecordedTrafficSource('demo', RECORDED, {
      maxBytes: 1024 * 1024,
      maxSeries: 1000,
    }).read();
    expect(rows(recorded)).toEqual(EXPECTED);
  });

  it('flags an answer over the series cap as truncated', async () => {
    const read = await new PrometheusTrafficSource(
      'demo',
      new PrometheusClient(
        { url: baseUrl },
        { timeoutMs: 20_000, maxBytes: 1024 * 1024, maxSeries: 1 },
      ),
      {
        ...windows,
        lastSeenResolutionSeconds: RESOLUTION_SECONDS,
        meshes: ['istio'],
        now: () => DEMO_TRAFFIC_TIME,
      },
    ).read();
    expect(read.truncated).toBe(true);
  });

  it('reports an invalid query as a safe error, not a crash', async () => {
    await expect(
      new PrometheusClient(
        { url: baseUrl, bearerToken: 'unused-token' },
        { timeoutMs: 20_000, maxBytes: 1024, maxSeries: 1 },
      ).query('sum(', DEMO_TRAFFIC_TIME),
    ).rejects.toThrow(
      /^Prometheus http:\/\/127\.0\.0\.1:\d+ answered HTTP 400: /,
    );
  });
});
