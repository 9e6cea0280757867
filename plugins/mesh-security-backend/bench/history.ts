/* eslint-disable no-console */
/*
 * Posture history benchmark (`npm run bench:history`; not a test). Measures, on SQLite and on
 * PostgreSQL, what docs/backend.md "Posture history" promises at 10,000 components:
 *   - write path: one recorder run's `HistoryStore.record` of 10,000 components' daily
 *     summaries — the first day (every component's first mode change), the same day again (a
 *     rerun or a second replica: upserts, no change) and the next day with 1 % of the modes
 *     changed — then the retention prune. Goal: < 5 s each.
 *   - trend: `HistoryService.overview` as `GET /history?owner=…&days=400` calls it, over a
 *     store holding 400 days of 10,000 components (4 M rows, 50 owners of 200 components), the
 *     10,000 readable refs passed as the route passes them; p50/p99 over BENCH_TREND_RUNS (200)
 *     after 20 warm-ups. Goal (PostgreSQL): p99 < 50 ms. The route's catalog listing and
 *     permission decisions (shared with GET /overview) are not part of it.
 * PostgreSQL: BENCH_POSTGRES=<connection string> (a server whose user may create databases),
 * else a throwaway server from Debian's `postgresql` package on 127.0.0.1:BENCH_PG_PORT (55433)
 * in a temporary directory, removed afterwards; without either it says so and measures SQLite
 * only. SQLite: a file in a temporary directory (as a persistent SQLite deployment has).
 * Sizes: BENCH_COMPONENTS (10000), BENCH_DAYS (400), BENCH_OWNERS (50), BENCH_TREND_RUNS (200).
 * BENCH_ONLY=sqlite|postgresql measures one database; BENCH_TREND=0 the write path only; BENCH_SQLITE_TREND=1 measures the trend on
 * SQLite too (its 4 M-row fill is slow).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import knexFactory, { Knex } from 'knex';
import {
  MTLS_MODES,
  PostureDay,
} from '@mesh-security/plugin-mesh-security-common';
import { ComponentDay, HistoryStore } from '../src/history/HistoryStore';
import { HistoryService } from '../src/history/HistoryService';
import { median, percentile } from './stats';

const COMPONENTS = Number(process.env.BENCH_COMPONENTS ?? 10_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 400);
const OWNERS = Number(process.env.BENCH_OWNERS ?? 50);
const TREND_RUNS = Number(process.env.BENCH_TREND_RUNS ?? 200);
const PG_PORT = Number(process.env.BENCH_PG_PORT ?? 55433);
/** `sqlite` or `postgresql`: measure only that database. */
const ONLY = process.env.BENCH_ONLY;
/** The trend on SQLite too (filling 4 M rows there took 8.5 minutes on the 2-core VM). */
const SQLITE_TREND = process.env.BENCH_SQLITE_TREND === '1';
const WRITE_GOAL_MS = 5_000;
const TREND_GOAL_MS = 50;

const NOW = new Date('2026-12-02T10:00:00Z');
const DAY_MS = 86_400_000;
const dayString = (daysAgo: number) =>
  new Date(NOW.getTime() - daysAgo * DAY_MS).toISOString().slice(0, 10);
const ref = (i: number) => `component:default/svc-${i}`;
const owner = (i: number) => `group:default/team-${i % OWNERS}`;

const ms = (v: number) => `${v.toFixed(1)} ms`;

function posture(i: number, day: string, shift = 0): PostureDay {
  const mtls = MTLS_MODES[(i + shift) % 4];
  let strictPorts = i % 3 === 0 ? 1 : 0;
  if (mtls === 'STRICT') strictPorts = 2;
  return {
    day,
    mtls,
    strictPorts,
    totalPorts: 2,
    findingCounts: {
      critical: i % 17 === 0 ? 1 : 0,
      high: i % 5,
      medium: i % 7,
      low: i % 3,
      info: 1,
    },
    pillars: {
      verifyExplicitly: mtls === 'STRICT' ? 'pass' : 'warn',
      leastPrivilege: i % 2 ? 'pass' : 'fail',
      assumeBreach: 'pass',
      noCredentialLeakage: 'unknown',
    },
  };
}

function records(day: string, changedEvery = 0): ComponentDay[] {
  return Array.from({ length: COMPONENTS }, (_, i) => ({
    entityRef: ref(i),
    owner: owner(i),
    posture: posture(i, day, changedEvery && i % changedEvery === 0 ? 1 : 0),
  }));
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

interface Database {
  name: string;
  /** A fresh, empty database. */
  fresh(): Promise<Knex>;
  /** Fills `posture_daily` with DAYS days × COMPONENTS rows inside the database. */
  fill(db: Knex): Promise<void>;
  close(): Promise<void>;
}

function sqlite(): Database {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-bench-'));
  const open: Knex[] = [];
  let n = 0;
  return {
    name: 'SQLite',
    async fresh() {
      const db = knexFactory({
        client: 'better-sqlite3',
        connection: { filename: path.join(dir, `history-${n++}.sqlite`) },
        useNullAsDefault: true,
      });
      open.push(db);
      return db;
    },
    async fill(db) {
      await db.raw(
        `insert into posture_daily
         (day, entity_ref, owner, mtls, strict_ports, total_ports, critical, high, medium, low, info,
          verify_explicitly, least_privilege, assume_breach, no_credential_leakage, recorded_at)
         with recursive
           d(n) as (select 0 union all select n + 1 from d where n < cast(? as integer)),
           c(i) as (select 0 union all select i + 1 from c where i < cast(? as integer))
         select date(?, '-' || d.n || ' days'), 'component:default/svc-' || c.i,
                'group:default/team-' || (c.i % cast(? as integer)),
                case (c.i + d.n / 30) % 4 when 0 then 'STRICT' when 1 then 'PERMISSIVE' when 2 then 'PARTIAL' else 'DISABLED' end,
                case when (c.i + d.n / 30) % 4 = 0 then 2 else 0 end, 2, 0, c.i % 5, c.i % 7, c.i % 3, 1,
                'warn', 'pass', 'pass', 'unknown', ?
         from d, c`,
        [DAYS - 1, COMPONENTS - 1, dayString(0), OWNERS, NOW.toISOString()],
      );
    },
    async close() {
      await Promise.all(open.map(db => db.destroy()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A PostgreSQL connection string, starting a throwaway server when needed; undefined: none. */
function postgres(): { url: string; stop(): void } | undefined {
  if (process.env.BENCH_POSTGRES) {
    return { url: process.env.BENCH_POSTGRES, stop() {} };
  }
  const versions = fs.existsSync('/usr/lib/postgresql')
    ? fs
        .readdirSync('/usr/lib/postgresql')
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const bin = versions
    .map(v => `/usr/lib/postgresql/${v}/bin`)
    .find(b => fs.existsSync(`${b}/initdb`));
  if (!bin) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-security-bench-pg-'));
  const asPg =
    process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const run = (args: string[]) => {
    const [cmd, ...rest] = [...asPg, ...args];
    execFileSync(cmd, rest, { stdio: 'ignore' });
  };
  if (asPg.length) execFileSync('chown', ['postgres', dir]);
  fs.writeFileSync(path.join(dir, 'pw'), 'mesh-security\n', { mode: 0o644 });
  run([
    `${bin}/initdb`,
    '-D',
    `${dir}/db`,
    '-U',
    'postgres',
    `--pwfile=${dir}/pw`,
    '--auth=scram-sha-256',
  ]);
  run([
    `${bin}/pg_ctl`,
    '-D',
    `${dir}/db`,
    '-l',
    `${dir}/server.log`,
    '-w',
    '-o',
    `-p ${PG_PORT} -k ${dir} -c listen_addresses=127.0.0.1`,
    'start',
  ]);
  return {
    url: `postgresql://postgres:mesh-security@127.0.0.1:${PG_PORT}`,
    stop() {
      try {
        run([`${bin}/pg_ctl`, '-D', `${dir}/db`, '-m', 'fast', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function pg(url: string): Database {
  const admin = knexFactory({ client: 'pg', connection: url });
  const created: Array<{ name: string; db: Knex }> = [];
  return {
    name: 'PostgreSQL',
    async fresh() {
      const name = `mesh_security_bench_${process.pid}_${created.length}`;
      await admin.raw('create database ??', [name]);
      const db = knexFactory({ client: 'pg', connection: `${url}/${name}` });
      created.push({ name, db });
      return db;
    },
    async fill(db) {
      await db.raw(
        `insert into posture_daily
         (day, entity_ref, owner, mtls, strict_ports, total_ports, critical, high, medium, low, info,
          verify_explicitly, least_privilege, assume_breach, no_credential_leakage, recorded_at)
         select to_char(?::date - d, 'YYYY-MM-DD'), 'component:default/svc-' || c,
                'group:default/team-' || (c % ?),
                (array['STRICT','PERMISSIVE','PARTIAL','DISABLED'])[1 + (c + d / 30) % 4],
                case when (c + d / 30) % 4 = 0 then 2 else 0 end, 2, 0, c % 5, c % 7, c % 3, 1,
                'warn', 'pass', 'pass', 'unknown', ?
         from generate_series(0, ?) d, generate_series(0, ?) c`,
        [dayString(0), OWNERS, NOW.toISOString(), DAYS - 1, COMPONENTS - 1],
      );
      await db.raw('analyze posture_daily');
    },
    async close() {
      for (const { name, db } of created) {
        await db.destroy();
        await admin.raw('drop database if exists ??', [name]);
      }
      await admin.destroy();
    },
  };
}

interface Figures {
  first: number;
  again: number;
  next: number;
  prune: number;
  trend?: { p50: number; p99: number; days: number; components: number };
  trendAll?: { p50: number; p99: number };
}

async function measure(database: Database): Promise<Figures> {
  console.log(`\n${database.name}`);
  // Write path: three fresh databases, the median of each step.
  const steps = { first: [], again: [], next: [], prune: [] } as Record<
    'first' | 'again' | 'next' | 'prune',
    number[]
  >;
  for (let run = 0; run < 3; run++) {
    const db = await database.fresh();
    const store = await HistoryStore.create(db);
    const [first, changes] = await timed(() =>
      store.record(records(dayString(1)), new Date(NOW.getTime() - DAY_MS)),
    );
    const [again] = await timed(() =>
      store.record(records(dayString(1)), new Date(NOW.getTime() - DAY_MS)),
    );
    const [next, nextChanges] = await timed(() =>
      store.record(records(dayString(0), 100), NOW),
    );
    const [prune] = await timed(() => store.prune(400, NOW));
    if (changes !== COMPONENTS || nextChanges !== COMPONENTS / 100) {
      throw new Error(`unexpected changes: ${changes}, ${nextChanges}`);
    }
    steps.first.push(first);
    steps.again.push(again);
    steps.next.push(next);
    steps.prune.push(prune);
  }
  const figures: Figures = {
    first: median(steps.first),
    again: median(steps.again),
    next: median(steps.next),
    prune: median(steps.prune),
  };
  const goal = (v: number) => `${(v / WRITE_GOAL_MS).toFixed(3)}× the 5 s goal`;
  console.log(
    `  record ${COMPONENTS} components, first day (${COMPONENTS} mode changes): ${ms(
      figures.first,
    )} (${goal(figures.first)})`,
  );
  console.log(
    `  the same day again (upserts, no change):              ${ms(
      figures.again,
    )} (${goal(figures.again)})`,
  );
  console.log(
    `  the next day, 1 % of the modes changed:               ${ms(
      figures.next,
    )} (${goal(figures.next)})`,
  );
  console.log(
    `  prune (400 days):                                     ${ms(
      figures.prune,
    )}`,
  );

  if (process.env.BENCH_TREND === '0') return figures;
  if (database.name === 'SQLite' && !SQLITE_TREND) {
    console.log(
      '  trend: not measured on SQLite (BENCH_SQLITE_TREND=1 to measure it; the goal is on PostgreSQL)',
    );
    return figures;
  }
  // Trend: 400 days × COMPONENTS rows.
  const db = await database.fresh();
  await HistoryStore.create(db);
  const [fill] = await timed(() => database.fill(db));
  const rows = Number((await db('posture_daily').count({ n: '*' }))[0].n);
  console.log(
    `  filled ${rows.toLocaleString(
      'en',
    )} rows (${DAYS} days × ${COMPONENTS}) in ${(fill / 1000).toFixed(1)} s`,
  );
  // Starting the store on rows written without owner summaries fills them (an upgrade).
  const [upgrade, store] = await timed(() => HistoryStore.create(db));
  console.log(
    `  owner summaries filled from those rows on start (an upgrade): ${(
      upgrade / 1000
    ).toFixed(1)} s`,
  );
  const service = new HistoryService(
    { enabled: true, retentionDays: 400, recordIntervalMinutes: 60 },
    store,
    () => NOW,
  );
  const readable = Array.from({ length: COMPONENTS }, (_, i) => ref(i));
  const trend = async (
    query: { owner?: string; days: number },
    runs = TREND_RUNS,
  ) => {
    const times: number[] = [];
    let last: Awaited<ReturnType<HistoryService['overview']>> | undefined;
    const warmup = Math.min(20, runs);
    for (let i = 0; i < warmup + runs; i++) {
      const q = query.owner ? { ...query, owner: owner(i) } : query;
      const [t, answer] = await timed(() => service.overview(readable, q));
      if (i >= warmup) times.push(t);
      last = answer;
    }
    return { times, last: last! };
  };
  const one = await trend({ owner: owner(0), days: 400 });
  figures.trend = {
    p50: percentile(one.times, 50),
    p99: percentile(one.times, 99),
    days: one.last.days.length,
    components: one.last.days[one.last.days.length - 1]?.components ?? 0,
  };
  console.log(
    `  trend, one owner (${figures.trend.components} components), ${
      figures.trend.days
    } days: p50 ${ms(figures.trend.p50)}, p99 ${ms(figures.trend.p99)} (${(
      figures.trend.p99 / TREND_GOAL_MS
    ).toFixed(2)}× the 50 ms goal)`,
  );
  // One of the owner's components hidden from the caller: its own rows are summed instead.
  const hidden = await timed(() =>
    service.overview(readable.slice(1), { owner: owner(0), days: 400 }),
  );
  console.log(
    `  trend, one owner, 400 days, one of its components hidden (the per-component sums, 1 run): ${ms(
      hidden[0],
    )}`,
  );
  const all = await trend({ days: 90 }, 20);
  figures.trendAll = {
    p50: percentile(all.times, 50),
    p99: percentile(all.times, 99),
  };
  console.log(
    `  trend, every component (${COMPONENTS}), 90 days (the overview's default; 20 runs): p50 ${ms(
      figures.trendAll.p50,
    )}, p99 ${ms(figures.trendAll.p99)}`,
  );
  return figures;
}

async function main() {
  console.log(
    `Posture history benchmark: ${COMPONENTS} components, ${OWNERS} owners, ${DAYS} days (Node ${
      process.version
    }, load average ${os
      .loadavg()
      .map(l => l.toFixed(1))
      .join(' ')})`,
  );
  const lite = sqlite();
  let server: ReturnType<typeof postgres>;
  try {
    const liteFigures = ONLY === 'postgresql' ? undefined : await measure(lite);
    if (ONLY === 'sqlite') return;
    try {
      server = postgres();
    } catch (error) {
      console.log(
        `\nPostgreSQL could not be started (${
          (error as Error).message
        }): SQLite only.`,
      );
    }
    if (!server) {
      console.log(
        "\nPostgreSQL not available (set BENCH_POSTGRES, or install Debian's 'postgresql' package): measured SQLite only.",
      );
      return;
    }
    const database = pg(server.url);
    try {
      const pgFigures = await measure(database);
      if (!liteFigures) return;
      console.log('\nPostgreSQL ÷ SQLite');
      for (const key of ['first', 'again', 'next'] as const) {
        console.log(
          `  ${key.padEnd(6)} ${(pgFigures[key] / liteFigures[key]).toFixed(
            2,
          )}×`,
        );
      }
      if (pgFigures.trend && liteFigures.trend) {
        console.log(
          `  trend p99 ${(pgFigures.trend.p99 / liteFigures.trend.p99).toFixed(
            2,
          )}×`,
        );
      }
    } finally {
      await database.close();
    }
  } finally {
    await lite.close();
    server?.stop();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
