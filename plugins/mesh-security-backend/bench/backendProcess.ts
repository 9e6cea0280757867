/*
 * Child process of the backend benchmark: the Backstage backend under test (auth, catalog,
 * permissions, the Kubernetes plugin's backend and Mesh Security), configured by the file given
 * with `--config`. IPC: `start` → when it listens; `memory` → heap in use after a full GC;
 * `profileStart`/`profileStop` → a CPU profile written to a file; `loopStart`/`loopStop` → the
 * event loop's delay meanwhile (how long requests waited for work that blocked it).
 */
import fs from 'node:fs';
import { Session } from 'node:inspector';
import { IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { serve } from './processes';

const profiler = new Session();
let loop: IntervalHistogram | undefined;
const post = (method: string) =>
  new Promise<any>((resolve, reject) => profiler.post(method, (e, r) => (e ? reject(e) : resolve(r))));

serve({
  async start({ configFile }) {
    process.argv.push('--config', configFile);
    // Request logging to the console would dominate both sides' latency; keep warnings only.
    process.env.LOG_LEVEL ??= 'warn';
    const { createBackend } = await import('@backstage/backend-defaults');
    const backend = createBackend();
    backend.add(import('@backstage/plugin-auth-backend'));
    backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
    backend.add(import('@backstage/plugin-catalog-backend'));
    backend.add(import('@backstage/plugin-permission-backend'));
    backend.add(import('@backstage/plugin-permission-backend-module-allow-all-policy'));
    backend.add(import('@backstage/plugin-kubernetes-backend'));
    backend.add(import('../src'));
    await backend.start();
    return {};
  },
  async profileStart() {
    profiler.connect();
    await post('Profiler.enable');
    await post('Profiler.start');
    return {};
  },
  async profileStop({ file }) {
    const { profile } = await post('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
    profiler.disconnect();
    return {};
  },
  loopStart() {
    loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    return {};
  },
  loopStop() {
    loop!.disable();
    const ms = (ns: number) => ns / 1e6;
    return { p50: ms(loop!.percentile(50)), p99: ms(loop!.percentile(99)), max: ms(loop!.max) };
  },
  memory() {
    (global as any).gc?.();
    return { heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
  },
});
