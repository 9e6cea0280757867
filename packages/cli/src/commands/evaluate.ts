import { workloadPostureToCliJson } from '../format/json';
import { renderTable } from '../format/table';
import { displayName } from '../format/escape';
import { findingsMarkdown } from '../format/markdown';
import { findingsSarif, ObjectLocator } from '../format/sarif';
import {
  InputError,
  readByteLimits,
  readManifests,
  StdinReader,
} from '../inputs';
import { evaluateState, StateOptions } from '../state';

/** Options of `mesh-security evaluate`. */
export interface EvaluateOptions extends StateOptions {
  format?: string;
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

const EVALUATE_FORMATS = ['table', 'json', 'markdown', 'sarif'] as const;

/** Runs `evaluate` and returns the text to print on stdout. */
export function runEvaluate(
  inputs: string[],
  options: EvaluateOptions,
  stdin?: StdinReader,
): string {
  const format = options.format ?? 'table';
  if (!(EVALUATE_FORMATS as readonly string[]).includes(format))
    throw new InputError(
      `--format must be ${EVALUATE_FORMATS.join(', ')}, not ${displayName(
        format,
      )}`,
    );
  const set = readManifests(inputs, readByteLimits(options), stdin);
  const state = evaluateState(set.objects, options, new Date());
  const result = state.engine.evaluate();
  const json = workloadPostureToCliJson(result.workloads, [
    ...state.read,
    ...result.findings,
    ...state.beside,
  ]);
  // JSON.stringify escapes what a JSON string cannot hold raw; main() escapes the rest.
  if (format === 'json') return JSON.stringify(json, null, 2);
  if (format === 'sarif')
    return JSON.stringify(
      findingsSarif(json.findings, new ObjectLocator(set)),
      null,
      2,
    );
  if (format === 'markdown')
    return findingsMarkdown(
      json.findings,
      json.workloads.length,
      new ObjectLocator(set),
    );
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
