import {
  checkPlatformNamespaces,
  createEngine,
  readObjects,
} from '@mesh-security/plugin-mesh-security-common';
import { workloadPostureToCliJson } from '../format/json';
import { renderTable } from '../format/table';
import { displayName } from '../format/escape';
import { InputError, readByteLimits, readManifests } from '../inputs';

/** Options of `mesh-security evaluate`. */
export interface EvaluateOptions {
  format?: string;
  rootNamespace?: string;
  trustDomain?: string;
  platformNamespaces?: string;
  maxFileBytes?: string;
  maxTotalBytes?: string;
}

export function checkFormat(format: string | undefined): 'json' | 'table' {
  const f = format ?? 'table';
  if (f !== 'json' && f !== 'table')
    throw new InputError(
      `--format must be json or table, not ${displayName(f)}`,
    );
  return f;
}

/** `--platform-namespaces`: absent → the engine's defaults; `""` → none. */
function namespaceList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map(name => name.trim())
    .filter(Boolean);
  try {
    return checkPlatformNamespaces(names, '--platform-namespaces');
  } catch (error) {
    throw new InputError((error as Error).message);
  }
}

/** Runs `evaluate` and returns the text to print on stdout. */
export function runEvaluate(
  inputs: string[],
  options: EvaluateOptions,
): string {
  const format = checkFormat(options.format);
  const { snapshot, findings: readFindings } = readObjects(
    readManifests(inputs, readByteLimits(options)),
  );
  const engine = createEngine(snapshot, {
    rootNamespace: options.rootNamespace,
    trustDomain: options.trustDomain,
    platformNamespaces: namespaceList(options.platformNamespaces),
  });
  const result = engine.evaluate();
  const json = workloadPostureToCliJson(result.workloads, [
    ...readFindings,
    ...result.findings,
  ]);
  // JSON.stringify escapes what a JSON string cannot hold raw; main() escapes the rest.
  if (format === 'json') return JSON.stringify(json, null, 2);
  const workloads = renderTable(
    ['NAMESPACE', 'WORKLOAD', 'KIND', 'MESH', 'MTLS', 'PORTS', 'IDENTITY'],
    json.workloads.map(w => [
      w.namespace,
      w.name,
      w.kind,
      w.mesh,
      w.mtls,
      w.ports.map(p => `${p.port}:${p.mtls}`).join(' ') || '-',
      w.identity ?? '-',
    ]),
  );
  const findings =
    json.findings.length === 0
      ? 'No findings.'
      : renderTable(
          ['CODE', 'SEVERITY', 'OBJECT', 'MESSAGE'],
          json.findings.map(f => [
            f.code,
            f.severity,
            `${f.object.kind} ${
              f.object.namespace ? `${f.object.namespace}/` : ''
            }${f.object.name}`,
            f.message,
          ]),
        );
  return `${workloads}\n\n${findings}`;
}
