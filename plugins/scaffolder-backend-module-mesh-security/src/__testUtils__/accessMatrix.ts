import { createEngine } from '@mesh-security/plugin-mesh-security-common';
import { buildSnapshot, CallerAccount } from '../analysis/snapshot';
import { demoPosture } from './demoEstate';

/** One request to a demo component: `ns/sa port METHOD path`. */
export type MatrixRequest = [
  caller: string,
  port: number,
  method: string,
  path: string,
];

/**
 * The engine's decision for every request, with a policy file's objects in place of the live
 * ones (the same snapshot the actions' impact uses): `"ns/sa port METHOD path" → ALLOW|DENY`.
 */
export function accessMatrix(
  target: { name: string; namespace: string },
  fileText: string,
  requests: MatrixRequest[],
): Record<string, 'ALLOW' | 'DENY'> {
  const workload = demoPosture(target.name, target.namespace).workloads[0];
  const callers: CallerAccount[] = [...new Set(requests.map(([c]) => c))].map(
    c => {
      const [namespace, serviceAccount] = c.split('/');
      return { namespace, serviceAccount };
    },
  );
  const engine = createEngine(
    buildSnapshot({ cluster: 'demo', target: workload, callers }, fileText)
      .snapshot,
    { cluster: 'demo' },
  );
  const workloads = engine.evaluate().workloads;
  return Object.fromEntries(
    requests.map(([caller, port, method, path]) => {
      const [namespace, serviceAccount] = caller.split('/');
      const from = workloads.find(
        w =>
          w.namespace === namespace &&
          w.serviceAccount === serviceAccount &&
          w.name !== target.name,
      )!;
      return [
        `${caller} ${port} ${method} ${path}`,
        engine.check({
          from: { namespace, name: from.name },
          to: target,
          port,
          method,
          path,
        }).decision,
      ];
    }),
  );
}

/** The requests whose decision differs between two matrices, as `key: before → after`. */
export function changedDecisions(
  before: Record<string, string>,
  after: Record<string, string>,
): string[] {
  return Object.keys(before)
    .filter(k => before[k] !== after[k])
    .map(k => `${k}: ${before[k]} → ${after[k]}`);
}

/** Every combination of callers × ports × methods × paths. */
export function requestsFor(
  callers: string[],
  ports: number[],
  methods: string[],
  paths: string[],
): MatrixRequest[] {
  return callers.flatMap(c =>
    ports.flatMap(p =>
      methods.flatMap(m => paths.map(x => [c, p, m, x] as MatrixRequest)),
    ),
  );
}
