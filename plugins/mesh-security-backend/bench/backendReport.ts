/*
 * The backend benchmark's report (bench/backend.ts): memory per pod, printed as soon as it is
 * measured, and, after the views, startup times, the table of Mesh Security's page views against
 * the Kubernetes plugin's fetch, the backend's event loop and collections, the floor route and
 * the backend's heap.
 */
import type { LoopFigures } from './backendProcess';
import type { MemoryFigures } from './memoryProcess';
import { percentile } from './stats';

/** Timed `GET /entity` views: times as the load generator saw them and in the backend. */
export interface ViewFigures {
  /** Each view, until its last byte arrived. */
  times: number[];
  /** The same views, from arrival in the backend to the response handed to the socket. */
  inBackend: number[];
  /** The same entities viewed again, client side and in the backend. */
  again: number[];
  againInBackend: number[];
  /** Bytes on the wire, every view together. */
  bytes: number;
  /** Kubernetes API requests and Prometheus queries per view. */
  requestsPerView: number;
  queriesPerView: number;
  /** The backend's event loop and collections during the views. */
  loop: LoopFigures;
  /** The load generator's own collection pauses during the views. */
  clientGc: number[];
}

/** What the benchmark measured after the memory figures: one report. */
export interface BackendFigures {
  clusters: number;
  pods: number;
  entities: number;
  /** From the backend's start to every cluster `ok`, and to every access graph built. */
  firstSnapshotMs: number;
  graphsReadyMs: number;
  warmup: { reads: number; majors: number; majorsWaitedFor: number };
  views: ViewFigures;
  /** Whether observed traffic was served (else no Prometheus query count is meaningful). */
  traffic: boolean;
  /** The floor route: a catalog read by name, client side and in the backend. */
  floor: { times: number[]; inBackend: number[] };
  /** The Kubernetes plugin's per-entity fetch. */
  kubernetes: { times: number[]; inBackend: number[]; requestsPerView: number };
  /** The backend's heap after the warm-up and after every measured view. */
  heap: {
    afterWarmup: { heapUsed: number; rss: number };
    afterViews: { heapUsed: number };
  };
}

export const ms = (v: number) => `${v.toFixed(2)} ms`;
const kib = (v: number) => `${(v / 1024).toFixed(2)} KiB`;
const mib = (v: number, digits = 0) => (v / 1024 / 1024).toFixed(digits);

export function printMemoryFigures(memory: MemoryFigures): void {
  console.log(
    `memory retained per pod in every replica (steady state, every entity viewed): ${kib(
      memory.view + memory.graph + memory.viewed,
    )} ` +
      `(evaluated view and access graph ${kib(
        memory.view + memory.graph,
      )}, what views keep for the generation ${kib(memory.viewed)}; ` +
      `${kib(
        memory.view,
      )} right after evaluation, before the evaluating engine is released); ` +
      `snapshot in the memory cache ${kib(memory.cache)} (${kib(
        memory.snapshotJson,
      )} of trimmed JSON, stored gzipped as ` +
      `${kib(memory.stored)}; with Redis it lives outside the process)`,
  );
}

/**
 * A row of percentile `p`: ours, theirs and how many times faster ours is (a whole-number
 * ratio).
 */
function percentileRow(
  label: string,
  ours: number[],
  theirs: number[],
  p: number,
): string[] {
  const a = percentile(ours, p);
  const b = percentile(theirs, p);
  return [label, ms(a), ms(b), `${(b / a).toFixed(0)}×`];
}

/** The table: Mesh Security's views against the Kubernetes plugin's fetch. */
function viewRows(f: BackendFigures): string[][] {
  const { views, kubernetes } = f;
  const p = percentile;
  return [
    ['', 'Mesh Security GET /entity', 'Kubernetes plugin fetch', 'ratio'],
    percentileRow('p50', views.times, kubernetes.times, 50),
    percentileRow('p99', views.times, kubernetes.times, 99),
    [
      'p50 / p99 seen before',
      `${ms(p(views.again, 50))} / ${ms(p(views.again, 99))}`,
      '',
      `${(p(kubernetes.times, 99) / p(views.again, 99)).toFixed(0)}× (p99)`,
    ],
    percentileRow(
      'in the backend: p50',
      views.inBackend,
      kubernetes.inBackend,
      50,
    ),
    percentileRow(
      'in the backend: p99',
      views.inBackend,
      kubernetes.inBackend,
      99,
    ),
    [
      '  seen before: p50 / p99',
      `${ms(p(views.againInBackend, 50))} / ${ms(p(views.againInBackend, 99))}`,
      '',
      '',
    ],
    [
      'K8s API requests / view',
      views.requestsPerView.toFixed(2),
      kubernetes.requestsPerView.toFixed(1),
      '',
    ],
    [
      'Prometheus queries / view',
      f.traffic ? views.queriesPerView.toFixed(2) : '(no traffic)',
      '',
      '',
    ],
    [
      'views measured',
      String(views.times.length),
      String(kubernetes.times.length),
      '',
    ],
    [
      'mean response on the wire',
      `${(views.bytes / views.times.length / 1024).toFixed(1)} KiB`,
      '',
      '',
    ],
  ];
}

export function printBackendReport(f: BackendFigures): void {
  const { loop, clientGc } = f.views;
  console.log(
    `\n${f.clusters} clusters × ${f.pods} pods, ${f.entities} entities`,
  );
  console.log(
    `time to first full snapshot (all clusters): ${(
      f.firstSnapshotMs / 1000
    ).toFixed(1)} s`,
  );
  console.log(
    `time until every access graph is built (steady state): ${(
      f.graphsReadyMs / 1000
    ).toFixed(1)} s`,
  );
  console.log(
    `warm-up after the heap reading: ${f.warmup.reads} catalog reads, during which V8 ran ${f.warmup.majors} mark-compacts of its own (waited for ${f.warmup.majorsWaitedFor})`,
  );
  for (const row of viewRows(f))
    console.log(row.map((c, i) => c.padEnd(i === 0 ? 26 : 28)).join(''));
  console.log(
    `backend event-loop delay during the Mesh Security views: p50 ${ms(
      loop.p50,
    )}, p99 ${ms(loop.p99)}, max ${ms(loop.max)}`,
  );
  console.log(
    `backend garbage collections during those views: ${loop.gc.count}, ${ms(
      loop.gc.totalMs,
    )} in all; by kind (count, longest): ${Object.entries(loop.gc.maxMsByKind)
      .map(([k, v]) => `${k} ${loop.gc.countByKind[k]}, ${ms(v)}`)
      .join('; ')}; ` +
      `in the load generator: ${clientGc.length}, ${ms(
        clientGc.reduce((a, b) => a + b, 0),
      )} in all, longest ${ms(Math.max(0, ...clientGc))}`,
  );
  console.log(
    `floor (catalog GET by name, same auth): p50 ${ms(
      percentile(f.floor.times, 50),
    )}, p99 ${ms(percentile(f.floor.times, 99))}; ` +
      `in the backend: p50 ${ms(percentile(f.floor.inBackend, 50))}, p99 ${ms(
        percentile(f.floor.inBackend, 99),
      )}`,
  );
  const { afterWarmup, afterViews } = f.heap;
  console.log(
    `backend process after warm-up: heap in use ${mib(
      afterWarmup.heapUsed,
    )} MiB, RSS ${mib(afterWarmup.rss)} MiB ` +
      `(everything: catalog, Kubernetes plugin, ${f.clusters} clusters' snapshots in the memory cache, views and access graphs)`,
  );
  console.log(
    `backend process after every measured view: heap in use ${mib(
      afterViews.heapUsed,
    )} MiB ` +
      `(growth from serving views: ${mib(
        afterViews.heapUsed - afterWarmup.heapUsed,
        1,
      )} MiB)`,
  );
}
