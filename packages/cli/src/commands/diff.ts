import {
  atLeast,
  EstateImpact,
  estateImpact,
  Finding,
  isMtlsDowngrade,
  PortImpact,
  SEVERITIES,
  Severity,
} from '@mesh-security/plugin-mesh-security-common';
import fs from 'node:fs';
import { displayName } from '../format/escape';
import { diffMarkdown } from '../format/markdown';
import type { DiffSummary, GateResult } from './diffSummary';
import { diffSarif, ObjectLocator } from '../format/sarif';
import { renderTable } from '../format/table';
import { gitTexts, isGitRevision } from '../git';
import {
  fileTexts,
  InputError,
  ManifestText,
  ParseCache,
  readByteLimits,
  readManifestSet,
  StdinReader,
} from '../inputs';
import { DEFAULT_MANIFEST_SET_LIMITS } from '@mesh-security/plugin-mesh-security-common';
import { evaluateState, StateOptions } from '../state';

/** Options of `mesh-security diff`. */
export interface DiffOptions extends StateOptions {
  base?: string;
  head?: string;
  format?: string;
  failOn?: string;
  maxFileBytes?: string;
  maxTotalBytes?: string;
}

/** The gates of `--fail-on` (docs/cli.md "Gates"). */
const GATES = [
  'widened-access',
  'narrowed-access',
  'mtls-downgrade',
  'layer-change',
  'new-finding',
] as const;

type Gate = (typeof GATES)[number];

interface GateSpec {
  gate: Gate;
  severity?: Severity;
}

/** The `mesh-security diff --format json` shape (docs/cli.md "`diff`"). */
interface CliDiffJson extends EstateImpact {
  /** Counts of what changed, as the summary line gives them. */
  summary: DiffSummary;
  /** The gates of `--fail-on`, each with what hit it (empty: not hit). */
  gates: GateResult[];
}

function parseGates(value: string | undefined): GateSpec[] {
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map(raw => {
    const item = raw.trim();
    const [gate, severity, extra] = item.split(':');
    const known = (GATES as readonly string[]).includes(gate);
    const severityOk =
      severity === undefined ||
      (gate === 'new-finding' &&
        (SEVERITIES as readonly string[]).includes(severity));
    if (!known || !severityOk || extra !== undefined)
      throw new InputError(
        `--fail-on: unknown gate ${displayName(item)} (known: ${GATES.join(
          ', ',
        )}; new-finding:<${SEVERITIES.join('|')}>)`,
      );
    return {
      gate: gate as Gate,
      ...(severity ? { severity: severity as Severity } : {}),
    };
  });
}

const where = (w: { namespace: string; name: string }, port?: number) =>
  `${w.namespace}/${w.name}${port === undefined ? '' : `:${port}`}`;

const findingLine = (f: Finding) =>
  `${f.code} ${f.severity} ${f.object.kind} ${
    f.object.namespace ? `${f.object.namespace}/` : ''
  }${f.object.name}: ${f.message}`;

function evaluateGate(spec: GateSpec, impact: EstateImpact): string[] {
  const ports = impact.workloads.flatMap(w => w.ports.map(p => ({ w, p })));
  switch (spec.gate) {
    case 'widened-access':
      return ports.flatMap(({ w, p }) =>
        p.added.map(c => `${where(w, p.port)}: caller gained ${c}`),
      );
    case 'narrowed-access':
      return ports.flatMap(({ w, p }) =>
        p.removed.map(c => `${where(w, p.port)}: caller lost ${c}`),
      );
    case 'mtls-downgrade':
      return ports
        .filter(({ p }) => isMtlsDowngrade(p.mtls.before, p.mtls.after))
        .map(
          ({ w, p }) =>
            `${where(w, p.port)}: mTLS ${p.mtls.before} → ${p.mtls.after}`,
        );
    case 'layer-change':
      return ports.flatMap(({ w, p }) =>
        p.layers.map(
          l =>
            `${where(w, p.port)}: ${l.caller} decided by ${l.before.layer} → ${
              l.after.layer
            }${l.allowed ? '' : ' (denied)'}`,
        ),
      );
    default:
      return impact.introduced
        .filter(f => !spec.severity || atLeast(f, spec.severity))
        .map(findingLine);
  }
}

/** Distinct callers of a workload over its ports (a caller gained on two ports counts once). */
const callers = (impact: EstateImpact, pick: (p: PortImpact) => string[]) =>
  impact.workloads.reduce((n, w) => n + new Set(w.ports.flatMap(pick)).size, 0);

function summarise(impact: EstateImpact): DiffSummary {
  const ports = impact.workloads.flatMap(w => w.ports);
  return {
    workloads: impact.workloads.length,
    gained: callers(impact, p => p.added),
    lost: callers(impact, p => p.removed),
    mtlsDowngrades: ports.filter(p =>
      isMtlsDowngrade(p.mtls.before, p.mtls.after),
    ).length,
    layerChanges: ports.reduce((n, p) => n + p.layers.length, 0),
    introduced: impact.introduced.length,
    resolved: impact.resolved.length,
  };
}

/** One state of `--base` / `--head`: stdin, a git revision, or comma-separated paths. */
function stateTexts(
  flag: string,
  value: string,
  paths: string[],
  readStdin: StdinReader,
): ManifestText[] {
  if (value === '-') return [{ name: 'stdin', read: readStdin }];
  const list = value.split(',').filter(Boolean);
  if (list.length > 0 && list.every(p => fs.existsSync(p)))
    return fileTexts(list);
  if (isGitRevision(value))
    return gitTexts(value, paths, DEFAULT_MANIFEST_SET_LIMITS.maxFiles);
  throw new InputError(
    `${flag} ${displayName(
      value,
    )}: neither a file or directory nor a git revision of the working repository`,
  );
}

const FORMATS = ['table', 'markdown', 'json', 'sarif'] as const;

/** Runs `diff`: the text to print on stdout and the exit status (1 when a gate is hit). */
export function runDiff(
  positional: string[],
  options: DiffOptions,
  readStdin: StdinReader,
): { text: string; exitCode: number } {
  const format = options.format ?? 'table';
  if (!(FORMATS as readonly string[]).includes(format))
    throw new InputError(
      `--format must be ${FORMATS.join(', ')}, not ${displayName(format)}`,
    );
  const gates = parseGates(options.failOn);
  const stdinHead = positional.includes('-');
  const paths = positional.filter(p => p !== '-');
  if (!options.base) throw new InputError('--base is required');
  const head = options.head ?? (stdinHead ? '-' : undefined);
  if (head === undefined && paths.length === 0)
    throw new InputError(
      'no head: give --head, manifest paths, or - to read the head from stdin',
    );
  if (options.base === '-' && head === '-')
    throw new InputError('only one of base and head can be read from stdin');
  const bytes = readByteLimits(options);
  // Files the change left alone are parsed once, their objects shared (read-only) by both states.
  const parsed = new ParseCache();
  const baseSet = readManifestSet(
    stateTexts('--base', options.base, paths, readStdin),
    bytes,
    parsed,
  );
  const headSet = readManifestSet(
    head === undefined
      ? fileTexts(paths)
      : stateTexts('--head', head, paths, readStdin),
    bytes,
    parsed,
  );
  // Both states as `evaluate` reads them, at the same instant (certificate expiry).
  const now = new Date();
  const before = evaluateState(baseSet.objects, options, now);
  const after = evaluateState(headSet.objects, options, now);
  const impact = estateImpact(before.engine, after.engine, {
    before: [...before.read, ...before.beside],
    after: [...after.read, ...after.beside],
  });
  const results = gates.map(spec => ({
    gate: `${spec.gate}${spec.severity ? `:${spec.severity}` : ''}`,
    hits: evaluateGate(spec, impact),
  }));
  const exitCode = results.some(g => g.hits.length > 0) ? 1 : 0;
  const summary = summarise(impact);
  const locate = new ObjectLocator(headSet, baseSet);
  let text: string;
  if (format === 'json') {
    const json: CliDiffJson = { summary, ...impact, gates: results };
    text = JSON.stringify(json, null, 2);
  } else if (format === 'markdown') {
    text = diffMarkdown(impact, summary, results, locate);
  } else if (format === 'sarif') {
    text = JSON.stringify(diffSarif(impact, locate), null, 2);
  } else {
    text = diffTable(impact, summary, results);
  }
  return { text, exitCode };
}

function summaryLine(summary: DiffSummary): string {
  return `${summary.workloads} workload(s) changed: ${summary.gained} caller(s) gained, ${summary.lost} lost, ${summary.mtlsDowngrades} mTLS downgrade(s), ${summary.layerChanges} layer change(s); ${summary.introduced} finding(s) introduced, ${summary.resolved} resolved`;
}

function diffTable(
  impact: EstateImpact,
  summary: DiffSummary,
  gates: GateResult[],
): string {
  const rows = impact.workloads.flatMap(w =>
    (w.ports.length ? w.ports : [undefined]).map(p => [
      `${w.namespace}/${w.name}`,
      w.change,
      p ? String(p.port) : '-',
      p && p.mtls.before !== p.mtls.after
        ? `${p.mtls.before} → ${p.mtls.after}`
        : p?.mtls.after ?? '-',
      p?.added.join(', ') || '-',
      p?.removed.join(', ') || '-',
      p?.layers
        .map(
          l =>
            `${l.caller}: ${l.before.layer} → ${l.after.layer}${
              l.allowed ? '' : ' (denied)'
            }`,
        )
        .join(', ') || '-',
    ]),
  );
  const parts = [summaryLine(summary)];
  if (rows.length)
    parts.push(
      renderTable(
        ['WORKLOAD', 'CHANGE', 'PORT', 'MTLS', 'GAINED', 'LOST', 'LAYERS'],
        rows,
      ),
    );
  for (const [title, list] of [
    ['Findings introduced', impact.introduced],
    ['Findings resolved', impact.resolved],
  ] as const) {
    if (list.length)
      parts.push(
        `${title}:\n${renderTable(
          ['CODE', 'SEVERITY', 'OBJECT', 'MESSAGE'],
          list.map(f => [
            f.code,
            f.severity,
            `${f.object.kind} ${
              f.object.namespace ? `${f.object.namespace}/` : ''
            }${f.object.name}`,
            f.message,
          ]),
        )}`,
      );
  }
  for (const g of gates.filter(x => x.hits.length))
    parts.push(`Gate hit: ${g.gate}\n${g.hits.map(h => `  ${h}`).join('\n')}`);
  return parts.join('\n\n');
}
