import {
  ACCESS_REQUEST_RULES,
  AccessRequest,
  escapeControlCharacters,
  WorkloadNotFoundError,
  createEngine,
  readObjects,
} from '@mesh-security/plugin-mesh-security-common';
import { accessDecisionToCliJson } from '../format/json';
import { renderTable } from '../format/table';
import { displayName } from '../format/escape';
import {
  InputError,
  readByteLimits,
  readManifests,
  StdinReader,
} from '../inputs';
import { checkFormat } from './evaluate';

/** Options of `mesh-security check`. */
export interface CheckOptions {
  from?: string;
  to?: string;
  port?: string;
  method?: string;
  path?: string;
  format?: string;
  maxFileBytes?: string;
  maxTotalBytes?: string;
}

const shown = (value: string | undefined) =>
  value === undefined ? '(missing)' : displayName(value);

function workloadRef(
  flag: string,
  value: string | undefined,
): { namespace: string; name: string } {
  const m = value ? /^([^/\s]+)\/([^/\s]+)$/.exec(value) : null;
  if (!m)
    throw new InputError(
      `${flag} must be <namespace>/<workload>${
        flag === '--from' ? ' or external' : ''
      }, not ${shown(value)}`,
    );
  return { namespace: m[1], name: m[2] };
}

/** `--method` and `--path` follow the rule `POST /check` applies (ACCESS_REQUEST_RULES). */
function requestPart(
  flag: string,
  value: string,
  rule: { maxLength: number; pattern: RegExp; message: string },
): string {
  if (value.length > rule.maxLength) {
    throw new InputError(`${flag} is longer than ${rule.maxLength} characters`);
  }
  if (!rule.pattern.test(value)) {
    throw new InputError(`${flag}: ${rule.message}, not ${shown(value)}`);
  }
  return value;
}

/** Parses the flags into an access request (bad flags are input errors). */
export function parseCheckRequest(options: CheckOptions): AccessRequest {
  const { port: portRule, method, path } = ACCESS_REQUEST_RULES;
  // Decimal digits only: Number() would also take `1e3`, `0x1F90` or ` 80`.
  const port = /^[1-9][0-9]{0,4}$/.test(options.port ?? '')
    ? Number(options.port)
    : NaN;
  if (!(port >= portRule.minimum && port <= portRule.maximum)) {
    throw new InputError(
      `--port must be a port number (${portRule.minimum}-${
        portRule.maximum
      }, decimal), not ${shown(options.port)}`,
    );
  }
  return {
    from:
      options.from === 'external'
        ? { kind: 'external' }
        : workloadRef('--from', options.from),
    to: workloadRef('--to', options.to),
    port,
    ...(options.method !== undefined
      ? {
          method: requestPart('--method', options.method.toUpperCase(), method),
        }
      : {}),
    ...(options.path !== undefined
      ? { path: requestPart('--path', options.path, path) }
      : {}),
  };
}

/** Runs `check` and returns the text to print on stdout. */
export function runCheck(
  inputs: string[],
  options: CheckOptions,
  stdin?: StdinReader,
): string {
  const format = checkFormat(options.format);
  const request = parseCheckRequest(options);
  const { snapshot } = readObjects(
    readManifests(inputs, readByteLimits(options), stdin).objects,
  );
  let decision;
  try {
    decision = createEngine(snapshot).check(request);
  } catch (error) {
    if (error instanceof WorkloadNotFoundError)
      throw new InputError(escapeControlCharacters(error.message));
    throw error;
  }
  const json = accessDecisionToCliJson(decision);
  // JSON.stringify escapes what a JSON string cannot hold raw; main() escapes the rest.
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
        .map(c => `  - ${escapeControlCharacters(c)}`)
        .join('\n')}`
    : '';
  return `${json.decision}\n\n${table}${cannot}`;
}
