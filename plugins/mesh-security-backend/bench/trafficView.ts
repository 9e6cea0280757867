/*
 * What observed traffic does to page views (`npm run bench:traffic-view`; not a test): runs
 * `bench/backend.ts` BENCH_PAIRS times (5) without observed traffic and as often with it
 * (BENCH_TRAFFIC, 15 sources per workload), the two taking turns (the order swapped every other
 * pair, so a drift of the machine's load falls on both alike), each run a fresh backend and
 * fresh mock clusters. It prints each run's entity views — first views and the same entities
 * viewed again, p50 and p99 as the load generator saw them and in the backend — then, per
 * figure, both sides' median and range, the shift traffic adds (the median of the pairwise
 * differences) and the exact two-sided p-value of a rank-sum test: whether that shift stands out
 * of the run-to-run noise (bench/stats.ts). Every other setting of `bench:backend` (BENCH_PODS,
 * BENCH_CLUSTERS, BENCH_VIEWS, BENCH_ESTATE, BENCH_MESH, BENCH_ANSWER, …) is passed through; its
 * memory figures are left out (BENCH_SKIP_MEMORY).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackendFigures } from './backendReport';
import { median, percentile, rankSumTest } from './stats';

const PAIRS = Number(process.env.BENCH_PAIRS ?? 5);
const SOURCES = Number(process.env.BENCH_TRAFFIC ?? 15);

interface RunFigures {
  traffic: boolean;
  figures: Record<string, number>;
}

/** The figures compared, from one run's views. */
function viewFigures(f: BackendFigures): Record<string, number> {
  const v = f.views;
  return {
    'first views p50': percentile(v.times, 50),
    'first views p99': percentile(v.times, 99),
    '— in the backend p50': percentile(v.inBackend, 50),
    '— in the backend p99': percentile(v.inBackend, 99),
    'viewed again p50': percentile(v.again, 50),
    'viewed again p99': percentile(v.again, 99),
    'GC during the views (ms)': v.loop.gc.totalMs,
  };
}

function run(traffic: boolean, dir: string, index: number): RunFigures {
  const json = path.join(dir, `run-${index}.json`);
  const started = Date.now();
  const child = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '-r',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      path.join(__dirname, 'backend.ts'),
    ],
    {
      env: {
        ...process.env,
        BENCH_TRAFFIC: String(traffic ? SOURCES : 0),
        BENCH_SKIP_MEMORY: '1',
        BENCH_JSON: json,
      },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (child.status !== 0 || !fs.existsSync(json)) {
    process.stderr.write(child.stdout ?? '');
    process.stderr.write(child.stderr ?? '');
    throw new Error(`bench:backend exited with ${child.status}`);
  }
  const figures = viewFigures(JSON.parse(fs.readFileSync(json, 'utf8')));
  const shown = Object.entries(figures)
    .filter(([k]) => k.startsWith('first') || k.startsWith('viewed'))
    .map(([k, value]) => `${k} ${value.toFixed(2)}`)
    .join(', ');
  console.log(
    `run ${index + 1} ${traffic ? 'with traffic   ' : 'without traffic'} (${(
      (Date.now() - started) /
      1000
    ).toFixed(0)} s, load ${os
      .loadavg()
      .map(l => l.toFixed(2))
      .join(' ')}): ${shown} ms`,
  );
  return { traffic, figures };
}

function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-views-'));
  console.log(
    `${PAIRS} runs of bench:backend without observed traffic and ${PAIRS} with ${SOURCES} sources per workload, taking turns${
      process.env.BENCH_ANSWER === 'summary'
        ? " (views of each entity's summary)"
        : ''
    }`,
  );
  const runs: RunFigures[] = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    const order = pair % 2 === 0 ? [false, true] : [true, false];
    for (const traffic of order) runs.push(run(traffic, dir, runs.length));
  }
  fs.rmSync(dir, { recursive: true, force: true });

  const keys = Object.keys(runs[0].figures);
  const rows = keys.map(key => {
    const without = runs.filter(r => !r.traffic).map(r => r.figures[key]);
    const withTraffic = runs.filter(r => r.traffic).map(r => r.figures[key]);
    const test = rankSumTest(without, withTraffic);
    const range = (values: number[]) =>
      `${median(values).toFixed(2)} (${Math.min(...values).toFixed(
        2,
      )}–${Math.max(...values).toFixed(2)})`;
    return [
      key,
      range(without),
      range(withTraffic),
      `${test.shift >= 0 ? '+' : ''}${test.shift.toFixed(2)}`,
      test.p.toFixed(3),
    ];
  });
  const header = [
    'figure (ms)',
    'without: median (range)',
    'with traffic',
    'shift',
    'p (rank-sum)',
  ];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(r => r[i].length)),
  );
  const line = (cells: string[]) =>
    cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(`\n${line(header)}`);
  for (const r of rows) console.log(line(r));
  console.log(
    `\nshift: the median of the differences (with − without) over every pair of runs; p: the exact` +
      ` two-sided probability of a split of these ${
        2 * PAIRS
      } runs at least as uneven if traffic changed nothing (small p: the shift stands out of the run-to-run noise).`,
  );
}

main();
