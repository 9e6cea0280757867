/*
 * Child process of the backend benchmark: the Backstage backend under test (auth, catalog,
 * permissions, the Kubernetes plugin's backend and Mesh Security), configured by the file given
 * with `--config`. IPC: `start` → when it listens; `memory` → heap in use after a full GC;
 * `majorsSinceForced` → mark-compacts V8 ran on its own since the last `memory`;
 * `profileStart`/`profileStop` → a CPU profile (or, with `allocations`, a sampling allocation
 * profile) written to a file; `loopStart`/`loopStop` → the
 * event loop's delay meanwhile (how long requests waited for work that blocked it) and the
 * garbage collections; `timesStart`/`timesStop` → time in the backend per request, by path prefix;
 * `cpu` → the process's CPU time so far (user and system, microseconds; `bench:watch`).
 */
import diagnostics from 'node:diagnostics_channel';
import fs from 'node:fs';
import { Session } from 'node:inspector';
import {
  constants,
  monitorEventLoopDelay,
  performance,
  PerformanceObserver,
} from 'node:perf_hooks';
import { serve } from './processes';

/** What `loopStop` answers: the event loop's delay and the garbage collections since `loopStart`. */
export interface LoopFigures {
  p50: number;
  p99: number;
  max: number;
  gc: {
    count: number;
    totalMs: number;
    maxMsByKind: Record<string, number>;
    countByKind: Record<string, number>;
  };
}

const profiler = new Session();
let loop: ReturnType<typeof monitorEventLoopDelay> | undefined;
let gc:
  | {
      observer: PerformanceObserver;
      pauses: number[];
      kinds: Record<string, number>;
      counts: Record<string, number>;
    }
  | undefined;
const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

// Time in the backend per request, from the request's arrival (headers parsed) until the
// response was handed to the socket: what the route costs without the load generator's share.
// Recorded only between `timesStart` and `timesStop`, per path prefix asked for, in order.
let timed: { prefixes: string[]; times: Record<string, number[]> } | undefined;
diagnostics.subscribe('http.server.request.start', (message: any) => {
  if (!timed) return;
  const url = message.request.url as string;
  const prefix = timed.prefixes.find(p => url.startsWith(p));
  if (!prefix) return;
  const times = (timed.times[prefix] ??= []);
  const start = performance.now();
  message.response.once('finish', () => times.push(performance.now() - start));
});
// Mark-compacts V8 ran on its own (not the forced ones of `memory`) since the last heap reading:
// the load generator waits for some before measuring, see `majorsSinceForced`.
let majors = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    const detail = (entry as any).detail;
    const forced =
      (detail?.flags ?? 0) & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED;
    if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR && !forced)
      majors++;
  }
}).observe({ entryTypes: ['gc'] });
const post = (method: string, params?: object) =>
  new Promise<any>((resolve, reject) =>
    profiler.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r))),
  );

serve({
  async start({ configFile }) {
    process.argv.push('--config', configFile);
    // Request logging to the console would dominate both sides' latency; keep errors only (the
    // Kubernetes plugin warns on every 404 of an uninstalled API group, once per cluster per view).
    process.env.LOG_LEVEL ??= 'error';
    const { createBackend } = await import('@backstage/backend-defaults');
    const backend = createBackend();
    backend.add(import('@backstage/plugin-auth-backend'));
    backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
    backend.add(import('@backstage/plugin-catalog-backend'));
    backend.add(import('@backstage/plugin-permission-backend'));
    backend.add(
      import('@backstage/plugin-permission-backend-module-allow-all-policy'),
    );
    backend.add(import('@backstage/plugin-kubernetes-backend'));
    backend.add(import('../src'));
    await backend.start();
    return {};
  },
  async profileStart({ allocations, liveOnly }) {
    profiler.connect();
    if (allocations) {
      await post('HeapProfiler.enable');
      // Everything allocated, not only what survives: garbage is what makes collections.
      // `liveOnly`: what is still alive when the profile stops (what collections copy).
      await post('HeapProfiler.startSampling', {
        includeObjectsCollectedByMajorGC: !liveOnly,
        includeObjectsCollectedByMinorGC: !liveOnly,
      });
    } else {
      await post('Profiler.enable');
      await post('Profiler.start');
    }
    return {};
  },
  async profileStop({ file, allocations }) {
    const { profile } = await post(
      allocations ? 'HeapProfiler.stopSampling' : 'Profiler.stop',
    );
    fs.writeFileSync(file, JSON.stringify(profile));
    profiler.disconnect();
    return {};
  },
  loopStart() {
    loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const pauses: number[] = [];
    const kinds: Record<string, number> = {};
    const counts: Record<string, number> = {};
    const observer = new PerformanceObserver(list => {
      for (const entry of list.getEntries()) {
        pauses.push(entry.duration);
        const kind = GC_KINDS[(entry as any).detail?.kind] ?? 'other';
        kinds[kind] = Math.max(kinds[kind] ?? 0, entry.duration);
        counts[kind] = (counts[kind] ?? 0) + 1;
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    gc = { observer, pauses, kinds, counts };
    return {};
  },
  loopStop(): LoopFigures {
    loop!.disable();
    gc!.observer.disconnect();
    const ms = (ns: number) => ns / 1e6;
    const pauses = gc!.pauses;
    return {
      p50: ms(loop!.percentile(50)),
      p99: ms(loop!.percentile(99)),
      max: ms(loop!.max),
      gc: {
        count: pauses.length,
        totalMs: pauses.reduce((a, b) => a + b, 0),
        maxMsByKind: gc!.kinds,
        countByKind: gc!.counts,
      },
    };
  },
  timesStart({ prefixes }) {
    timed = { prefixes, times: {} };
    return {};
  },
  timesStop() {
    const times = timed?.times ?? {};
    timed = undefined;
    return { times };
  },
  memory() {
    (global as any).gc?.();
    majors = 0;
    return {
      heapUsed: process.memoryUsage().heapUsed,
      rss: process.memoryUsage().rss,
    };
  },
  majorsSinceForced() {
    return { majors };
  },
  cpu() {
    const { user, system } = process.cpuUsage();
    return { user, system };
  },
});
