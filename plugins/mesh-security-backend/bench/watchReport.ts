/*
 * The watch benchmark's report (bench/watch.ts), printed after each mode: a table with a row per
 * figure and a column per mode measured so far (backend start, first snapshot against `JSON.parse`,
 * change → visible, backend CPU, API traffic, page views, event-loop delay, GC pauses, churn,
 * freshness, agreement with the API server), then, once both modes ran, the poll / watch ratios;
 * after several runs (BENCH_RUNS), each mode's page views during churn against the quiet phases.
 */
import type { LoopFigures } from './backendProcess';
import type { MockStats } from './mockKubernetes';
import { median, percentile, signedRankTest } from './stats';

export type Mode = 'watch' | 'poll';
export type ChangeType = 'policy' | 'pod' | 'label';

/**
 * One phase of a mode (quiet, churn A, quiet again after churn), as `phase` in bench/watch.ts
 * measured it.
 */
export interface PhaseFigures {
  minutes: number;
  cpuSeconds: number;
  api: MockStats;
  views: number[];
  /**
   * Page views not answered within REQUEST_TIMEOUT_MS of bench/watch.ts (30 s, as the report
   * says; left out of `views`).
   */
  unanswered: number;
  load: [string, string];
  /** The backend's event-loop delay and garbage-collection pauses during the phase. */
  loop: LoopFigures;
  /** Time in the backend per `GET /entity` (arrival to response handed to the socket). */
  inBackend: number[];
}

/** What one mode measured: a column of the report. */
export interface ModeResult {
  mode: Mode;
  /** From the backend process's start to its first list request. */
  bootMs: number;
  /** From the first list request to every cluster `ok`. */
  firstSnapshotMs: number;
  /** From the first list request to the last list body served (the reading part of the above). */
  listsServedMs: number;
  /** The mock API servers' own time building and writing those lists (one process, 2 cores shared). */
  mockListMs: number;
  parseMs: number;
  /**
   * The same bodies decoded, parsed, restored, trimmed and each object stringified, as the
   * watcher holds them: the least the first read costs before any evaluation.
   */
  listWorkMs: number;
  listBodies: { count: number; bytes: number };
  graphsMs: number;
  quiet: PhaseFigures;
  /** The quiet phase again, after churn and the agreement check. */
  quietAfter: PhaseFigures;
  churn: PhaseFigures;
  visible: Record<ChangeType, number[]>;
  missed: Record<ChangeType, number>;
  /** Changes the answer showed before they were made: it disagreed with the API server. */
  invalid: Record<ChangeType, number>;
  replacedPods: number;
  freshness: string;
  /** After churn, once caught up: workloads compared with the API server, and those differing. */
  agreement: { workloads: number; differing: string[] };
}

/** Prints the figures of the modes measured so far and, once both were, poll / watch. */
export function report(
  results: ModeResult[],
  { clusters, pods }: { clusters: number; pods: number },
) {
  const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');
  const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
  const s = (ms: number) => `${f1(ms / 1000)} s`;
  const kib = (bytes: number) => `${f1(bytes / 1024)} KiB`;
  const mib = (bytes: number) => `${f1(bytes / 1024 / 1024)} MiB`;
  const perMin = (p: PhaseFigures, v: number) => v / p.minutes;
  const cpuPerMin = (p: PhaseFigures) => perMin(p, p.cpuSeconds);
  const pct = (cpuSecondsPerMinute: number) =>
    `${f1((cpuSecondsPerMinute / 60) * 100)} %`;
  const visible = (r: ModeResult, t: ChangeType) =>
    `${s(percentile(r.visible[t], 50))} / ${s(
      percentile(r.visible[t], 99),
    )} (n ${r.visible[t].length}${
      r.missed[t] ? `, ${r.missed[t]} not shown` : ''
    }${
      r.invalid[t] ? `, ${r.invalid[t]} already shown before the change` : ''
    })`;
  const api = (p: PhaseFigures) =>
    `lists ${f1(perMin(p, p.api.listRequests))} req ${mib(
      perMin(p, p.api.listBytes),
    )}; watch ${f1(perMin(p, p.api.watchRequests))} req ${kib(
      perMin(p, p.api.watchBytes),
    )} (${f1(perMin(p, p.api.watchEvents))} events, ${f1(
      perMin(p, p.api.bookmarks),
    )} bookmarks)`;
  const views = (p: PhaseFigures) =>
    `${f2(percentile(p.views, 50))} / ${f2(percentile(p.views, 99))} ms (n ${
      p.views.length
    }${p.unanswered ? `, ${p.unanswered} unanswered within 30 s` : ''})`;
  const inBackend = (p: PhaseFigures) =>
    `${f2(percentile(p.inBackend, 50))} / ${f2(
      percentile(p.inBackend, 99),
    )} ms (n ${p.inBackend.length})`;
  const loop = (p: PhaseFigures) => `${f2(p.loop.p99)} / ${f2(p.loop.max)} ms`;
  const gc = (p: PhaseFigures) =>
    `${f1(p.loop.gc.totalMs)} ms in ${
      p.loop.gc.count
    }; longest ${Object.entries(p.loop.gc.maxMsByKind)
      .map(
        ([kind, ms]) => `${kind} ${f1(ms)} ms (${p.loop.gc.countByKind[kind]})`,
      )
      .join(', ')}`;
  const rows: Array<[string, (r: ModeResult) => string]> = [
    ['backend start → first list request', r => s(r.bootMs)],
    ['first list request → full snapshot', r => s(r.firstSnapshotMs)],
    [
      'JSON.parse of those list bodies',
      r =>
        `${s(r.parseMs)} (${r.listBodies.count} bodies, ${mib(
          r.listBodies.bytes,
        )})`,
    ],
    ['  snapshot / JSON.parse', r => `${f1(r.firstSnapshotMs / r.parseMs)}×`],
    [
      '  of which lists served',
      r => `${s(r.listsServedMs)}, ${f1(r.listsServedMs / r.parseMs)}×`,
    ],
    ['  mock API servers answering lists', r => s(r.mockListMs)],
    [
      '  watcher list work / JSON.parse',
      r => `${s(r.listWorkMs)}, ${f1(r.listWorkMs / r.parseMs)}×`,
    ],
    ['  → every access graph built', r => s(r.graphsMs)],
    ['policy edit → visible p50/p99', r => visible(r, 'policy')],
    ['pod churn → visible p50/p99', r => visible(r, 'pod')],
    ['ns label → visible p50/p99', r => visible(r, 'label')],
    [
      'backend CPU / min, quiet',
      r => `${f2(cpuPerMin(r.quiet))} s (${pct(cpuPerMin(r.quiet))})`,
    ],
    [
      'backend CPU / min, churn',
      r => `${f2(cpuPerMin(r.churn))} s (${pct(cpuPerMin(r.churn))})`,
    ],
    [
      'backend CPU / min, quiet after churn',
      r => `${f2(cpuPerMin(r.quietAfter))} s (${pct(cpuPerMin(r.quietAfter))})`,
    ],
    [
      '  added by churn',
      r => {
        const [before, after] = [cpuPerMin(r.quiet), cpuPerMin(r.quietAfter)];
        const d = cpuPerMin(r.churn) - (before + after) / 2;
        return `${f2(d)} s (${pct(
          d,
        )} of one core; against the quiet minute before ${f2(
          cpuPerMin(r.churn) - before,
        )} s, after ${f2(cpuPerMin(r.churn) - after)} s)`;
      },
    ],
    ['API / min, quiet', r => api(r.quiet)],
    ['API / min, churn', r => api(r.churn)],
    ['page view p50/p99, quiet', r => views(r.quiet)],
    ['page view p50/p99, churn', r => views(r.churn)],
    ['page view p50/p99, quiet after churn', r => views(r.quietAfter)],
    ['  in the backend, quiet', r => inBackend(r.quiet)],
    ['  in the backend, churn', r => inBackend(r.churn)],
    ['  in the backend, quiet after churn', r => inBackend(r.quietAfter)],
    ['event loop delay p99/max, quiet', r => loop(r.quiet)],
    ['event loop delay p99/max, churn', r => loop(r.churn)],
    ['event loop delay p99/max, quiet after', r => loop(r.quietAfter)],
    ['GC pauses, quiet', r => gc(r.quiet)],
    ['GC pauses, churn', r => gc(r.churn)],
    ['GC pauses, quiet after churn', r => gc(r.quietAfter)],
    [
      'pods replaced in the background',
      r => `${r.replacedPods} (${clusters} clusters)`,
    ],
    ['load average quiet', r => r.quiet.load.join(' → ')],
    ['load average churn', r => r.churn.load.join(' → ')],
    ['load average quiet after churn', r => r.quietAfter.load.join(' → ')],
    ['freshness at the end', r => r.freshness],
    [
      'answers = API server after churn',
      r =>
        `${r.agreement.workloads - r.agreement.differing.length} of ${
          r.agreement.workloads
        } workloads`,
    ],
  ];
  console.log(
    `\n${clusters} clusters × ${pods} pods; ${new Date().toISOString()}`,
  );
  for (const [label, cell] of rows) {
    console.log(
      `${label.padEnd(38)}${results
        .map(r => `${r.mode}: ${cell(r)}`)
        .join(' | ')}`,
    );
  }
  const watch = results.find(r => r.mode === 'watch');
  const poll = results.find(r => r.mode === 'poll');
  if (watch && poll) {
    const ratio = (a: number, b: number) => `${f1(a / b)}×`;
    console.log('poll / watch:');
    console.log(
      `  first snapshot ${ratio(
        poll.firstSnapshotMs,
        watch.firstSnapshotMs,
      )}; ` +
        `policy edit p99 ${ratio(
          percentile(poll.visible.policy, 99),
          percentile(watch.visible.policy, 99),
        )}; pod churn p99 ${ratio(
          percentile(poll.visible.pod, 99),
          percentile(watch.visible.pod, 99),
        )}; ns label p99 ${ratio(
          percentile(poll.visible.label, 99),
          percentile(watch.visible.label, 99),
        )}; ` +
        `CPU during churn ${ratio(
          poll.churn.cpuSeconds / poll.churn.minutes,
          watch.churn.cpuSeconds / watch.churn.minutes,
        )}; API bytes during churn ${ratio(
          (poll.churn.api.listBytes + poll.churn.api.watchBytes) /
            poll.churn.minutes,
          (watch.churn.api.listBytes + watch.churn.api.watchBytes) /
            watch.churn.minutes,
        )}`,
    );
  }
}

/**
 * After several runs (BENCH_RUNS): per mode, each run's page-view figures in the quiet phase
 * before churn, during churn with page views and in the quiet phase after it, then whether churn
 * moves them beyond the run-to-run noise — each run's churn figure less the mean of its two
 * quiet ones, the median of those differences and the exact p-value of a signed-rank test
 * (bench/stats.ts): a pairing within runs, so that a machine whose load drifts between runs
 * weighs on both sides alike.
 */
export function reportRuns(results: ModeResult[]) {
  const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
  const figures: Array<[string, (p: PhaseFigures) => number]> = [
    ['page view p50', p => percentile(p.views, 50)],
    ['page view p99', p => percentile(p.views, 99)],
    ['in the backend p50', p => percentile(p.inBackend, 50)],
    ['in the backend p99', p => percentile(p.inBackend, 99)],
    ['GC pauses / min', p => p.loop.gc.totalMs / p.minutes],
  ];
  for (const mode of [...new Set(results.map(r => r.mode))]) {
    const runs = results.filter(r => r.mode === mode);
    console.log(
      `\n[${mode}] page views during churn against the quiet phases, ${runs.length} runs (ms; quiet before / churn / quiet after)`,
    );
    for (const [label, of] of figures) {
      const cells = runs.map(
        r =>
          `${f2(of(r.quiet))} / ${f2(of(r.churn))} / ${f2(of(r.quietAfter))}`,
      );
      console.log(`${label.padEnd(20)}${cells.join(' | ')}`);
    }
    console.log(
      'figure              churn − mean of the quiet phases: median (range), p (signed rank)',
    );
    for (const [label, of] of figures) {
      const differences = runs.map(
        r => of(r.churn) - (of(r.quiet) + of(r.quietAfter)) / 2,
      );
      const { p, n } = signedRankTest(differences);
      console.log(
        `${label.padEnd(20)}${f2(median(differences))} (${f2(
          Math.min(...differences),
        )} to ${f2(Math.max(...differences))}), p ${p.toFixed(3)}${
          n < 6 ? ' (fewer than 6 runs: p ≥ 0.0625, cannot tell)' : ''
        }`,
      );
    }
  }
}
