/*
 * Child processes of the backend benchmark. The mock Kubernetes APIs and the Backstage backend
 * each run in their own process, as they would in production: the load generator, the fake API
 * servers' 50,000 generated objects and the backend under test then do not share one event loop
 * and one garbage-collected heap, which would inflate every latency measured.
 */
import { ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Starts `file` (TypeScript, next to this one) as a child process with an IPC channel. */
export function startChild(
  file: string,
  env: Record<string, string> = {},
  nodeFlags: string[] = [],
): ChildProcess {
  return fork(path.join(__dirname, file), [], {
    execArgv: [
      '--expose-gc',
      ...nodeFlags,
      '-r',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
    ],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Sends a request over IPC and waits for the reply of the same type. */
export function ask<T>(
  child: ChildProcess,
  message: { type: string } & Record<string, unknown>,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let cleanup = () => {};
    const onMessage = (reply: any) => {
      if (reply?.type === 'error') {
        cleanup();
        reject(new Error(reply.message));
      } else if (reply?.type === message.type) {
        cleanup();
        resolve(reply as T);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(
        new Error(
          `child process exited (${code}) before answering ${message.type}`,
        ),
      );
    };
    cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.send(message);
  });
}

/** Answers the parent's IPC requests in a child process. */
export function serve(
  handlers: Record<string, (message: any) => Promise<object> | object>,
): void {
  process.on('message', async (message: any) => {
    const handler = handlers[message?.type];
    if (!handler) return;
    try {
      process.send!({ type: message.type, ...(await handler(message)) });
    } catch (error) {
      process.send!({
        type: 'error',
        message: String((error as Error).stack ?? error),
      });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

/**
 * Starts a benchmark backend (`backendProcess.ts`) on `configFile` and waits until it listens;
 * BENCH_BACKEND_FLAGS: node flags for it (e.g. `--max-semi-space-size=64`).
 */
export async function startBackendProcess(
  configFile: string,
  options: { profileFromStart?: boolean } = {},
): Promise<ChildProcess> {
  const backend = startChild(
    'backendProcess.ts',
    {},
    (process.env.BENCH_BACKEND_FLAGS ?? '').split(' ').filter(Boolean),
  );
  // A CPU profile from before the backend starts (stopped by the caller with `profileStop`).
  if (options.profileFromStart)
    await ask(backend, { type: 'profileStart', allocations: false });
  await ask(backend, { type: 'start', configFile });
  return backend;
}

/**
 * Writes the benchmark's catalog to `file`: components `svc-0` … `svc-<entities - 1>`, each
 * annotated with its own `backstage.io/kubernetes-id`, owned by `team-0` … `team-19` in turn.
 */
export function writeCatalog(file: string, entities: number): void {
  fs.writeFileSync(
    file,
    Array.from(
      { length: entities },
      (_, i) =>
        `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc-${i}\n  annotations:\n    backstage.io/kubernetes-id: svc-${i}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-${
          i % 20
        }\n`,
    ).join('---\n'),
  );
}

/**
 * The plugin's `traffic` config for the mock clusters' Prometheus APIs (one per cluster, the
 * estate's mesh's metrics), read once an hour: the benchmarks read each cluster's observations
 * once.
 */
export function benchTrafficConfig(
  urls: string[],
  mesh: 'istio' | 'linkerd' = 'istio',
): object {
  return {
    refreshInterval: '1h',
    sources: urls.map((url, i) => ({
      type: 'prometheus',
      url,
      meshes: [mesh],
      clusters: [{ name: `c${i}` }],
    })),
  };
}

/**
 * The app-config of a benchmark backend (`backendProcess.ts`): in-memory SQLite, guest sign-in,
 * the catalog from `entitiesFile`, the mock clusters at `urls` as the Kubernetes plugin's
 * clusters `c0`, `c1`, …, and the given `meshSecurity` block.
 */
export function benchBackendConfig(options: {
  port: number;
  urls: string[];
  entitiesFile: string;
  meshSecurity: object;
}): string {
  const { port, urls, entitiesFile, meshSecurity } = options;
  return JSON.stringify({
    app: { baseUrl: `http://127.0.0.1:${port}` },
    backend: {
      baseUrl: `http://127.0.0.1:${port}`,
      listen: { port },
      database: { client: 'better-sqlite3', connection: ':memory:' },
    },
    auth: {
      environment: 'development',
      providers: { guest: { dangerouslyAllowOutsideDevelopment: true } },
    },
    catalog: {
      // Backstage re-processes every entity each 100–150 s by default; on this in-memory SQLite
      // (a synchronous driver) one pass over the benchmark's entities held the event loop for
      // 1.4–2.4 s, landing in whichever phase it fell. Once an hour: the entities are still
      // processed at the start, and the measured phases measure this plugin.
      processingInterval: { hours: 1 },
      rules: [{ allow: ['Component'] }],
      locations: [{ type: 'file', target: entitiesFile }],
    },
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: urls.map((url, i) => ({
            name: `c${i}`,
            url,
            authProvider: 'serviceAccount',
            serviceAccountToken: 'bench',
            skipTLSVerify: true,
            skipMetricsLookup: true,
          })),
        },
      ],
    },
    meshSecurity,
  });
}
