import {
  AccessRequest,
  WorkloadNotFoundError,
  accessDecisionToCliJson,
  createEngine,
  readObjects,
} from '@mesh-security/plugin-mesh-security-common';
import { renderTable } from '../format/table';
import { InputError, readManifests } from '../inputs';
import { checkFormat } from './evaluate';

/** Options of `mesh-security check`. */
export interface CheckOptions {
  from?: string;
  to?: string;
  port?: string;
  method?: string;
  path?: string;
  format?: string;
}

function workloadRef(
  flag: string,
  value: string | undefined,
): { namespace: string; name: string } {
  const m = value ? /^([^/\s]+)\/([^/\s]+)$/.exec(value) : null;
  if (!m)
    throw new InputError(
      `${flag} must be <namespace>/<workload>${
        flag === '--from' ? ' or external' : ''
      }, not ${value ?? '(missing)'}`,
    );
  return { namespace: m[1], name: m[2] };
}

/** Parses the flags into an access request (bad flags are input errors). */
export function parseCheckRequest(options: CheckOptions): AccessRequest {
  const port = Number(options.port);
  if (!options.port || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InputError(
      `--port must be a port number (1-65535), not ${
        options.port ?? '(missing)'
      }`,
    );
  }
  return {
    from:
      options.from === 'external'
        ? { kind: 'external' }
        : workloadRef('--from', options.from),
    to: workloadRef('--to', options.to),
    port,
    ...(options.method ? { method: options.method.toUpperCase() } : {}),
    ...(options.path ? { path: options.path } : {}),
  };
}

/** Runs `check` and returns the text to print on stdout. */
export function runCheck(inputs: string[], options: CheckOptions): string {
  const format = checkFormat(options.format);
  const request = parseCheckRequest(options);
  const { snapshot } = readObjects(readManifests(inputs));
  let decision;
  try {
    decision = createEngine(snapshot).check(request);
  } catch (error) {
    if (error instanceof WorkloadNotFoundError)
      throw new InputError(error.message);
    throw error;
  }
  const json = accessDecisionToCliJson(decision);
  if (format === 'json') return JSON.stringify(json, null, 2);
  const table = renderTable(
    ['LAYER', 'EFFECT', 'POLICY', 'MESSAGE'],
    decision.reasons.map(r => [
      r.layer,
      r.effect ?? '',
      r.policy ?? '-',
      r.message,
    ]),
  );
  const cannot = json.cannotEvaluate?.length
    ? `\n\nCannot evaluate (the decision stays conservative):\n${json.cannotEvaluate
        .map(c => `  - ${c}`)
        .join('\n')}`
    : '';
  return `${json.decision}\n\n${table}${cannot}`;
}
