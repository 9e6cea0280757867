/*
 * Child process of the backend benchmark: the Backstage backend under test (auth, catalog,
 * permissions, the Kubernetes plugin's backend and Mesh Security), configured by the file given
 * with `--config`. IPC: `start` → when it listens; `memory` → heap in use after a full GC;
 * `profileStart`/`profileStop` → a CPU profile written to a file.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector';
import { serve } from './processes';

const profiler = new Session();
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
  memory() {
    (global as any).gc?.();
    return { heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
  },
});
