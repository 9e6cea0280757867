import {
  EstateImpact,
  Finding,
  isMtlsDowngrade,
} from '@mesh-security/plugin-mesh-security-common';
import type { DiffSummary, GateResult } from '../commands/diffSummary';
import { ObjectLocator } from './sarif';

/*
 * Markdown for a pull-request comment (GitHub Flavored Markdown): the summary line first, the
 * details collapsed, everything in a stable order so that a re-run updates the comment rather
 * than churns it. Every value from a manifest is a code span, so it cannot format or link.
 */

/** A code span holding `text` as is (CommonMark §6.1: a longer backtick run than inside). */
function code(text: string): string {
  const oneLine = text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');
  const runs = oneLine.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map(r => r.length)) + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${oneLine}${pad}${fence}`;
}

const list = (values: string[]) =>
  values.length ? values.map(code).join(', ') : '—';

function findingsTable(findings: Finding[], locate: ObjectLocator): string {
  const at = locate.findings(findings);
  return [
    '| code | severity | object | location | message |',
    '| --- | --- | --- | --- | --- |',
    ...findings.map((f, i) => {
      const where = at[i];
      return `| ${f.code} | ${f.severity} | ${code(
        `${f.object.kind} ${
          f.object.namespace ? `${f.object.namespace}/` : ''
        }${f.object.name}`,
      )} | ${where ? code(`${where.file}:${where.line}`) : '—'} | ${code(
        f.message,
      )} |`;
    }),
  ].join('\n');
}

/** The Markdown of `mesh-security diff --format markdown`. */
export function diffMarkdown(
  impact: EstateImpact,
  summary: DiffSummary,
  gates: GateResult[],
  locate: ObjectLocator,
): string {
  const hit = gates.filter(g => g.hits.length > 0);
  const out = [
    `**mesh-security diff**: ${summary.workloads} workload(s) changed · ${summary.gained} caller(s) gained · ${summary.lost} lost · ${summary.mtlsDowngrades} mTLS downgrade(s) · ${summary.layerChanges} layer change(s) · ${summary.introduced} finding(s) introduced · ${summary.resolved} resolved`,
  ];
  if (gates.length)
    out.push(
      '',
      hit.length
        ? `:x: Gates hit: ${hit.map(g => code(g.gate)).join(', ')}`
        : `:white_check_mark: No gate hit (${gates
            .map(g => code(g.gate))
            .join(', ')})`,
    );
  if (impact.workloads.length) {
    out.push(
      '',
      '<details><summary>Workloads and ports</summary>',
      '',
      '| workload | change | port | mTLS | callers gained | callers lost | deciding layer |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const w of impact.workloads) {
      const name = code(`${w.namespace}/${w.name}`);
      if (w.ports.length === 0)
        out.push(`| ${name} | ${w.change} | — | — | — | — | — |`);
      for (const p of w.ports) {
        const mtls =
          p.mtls.before === p.mtls.after
            ? p.mtls.after
            : `${p.mtls.before} → ${p.mtls.after}${
                isMtlsDowngrade(p.mtls.before, p.mtls.after) ? ' :warning:' : ''
              }`;
        const layers = p.layers.map(
          l =>
            `${l.caller}: ${l.before.layer}${
              l.before.policy ? ` (${l.before.policy})` : ''
            } → ${l.after.layer}${
              l.after.policy ? ` (${l.after.policy})` : ''
            }${l.allowed ? '' : ', denied'}`,
        );
        out.push(
          `| ${name} | ${w.change} | ${p.port} | ${mtls} | ${list(
            p.added,
          )} | ${list(p.removed)} | ${list(layers)} |`,
        );
      }
    }
    out.push('', '</details>');
  }
  for (const [title, findings] of [
    ['Findings introduced', impact.introduced],
    ['Findings resolved', impact.resolved],
  ] as const) {
    if (findings.length)
      out.push(
        '',
        `<details><summary>${title} (${findings.length})</summary>`,
        '',
        findingsTable(findings, locate),
        '',
        '</details>',
      );
  }
  if (hit.length) {
    out.push('', '<details><summary>Gates hit</summary>', '');
    for (const g of hit) {
      out.push(`- ${code(g.gate)}`);
      for (const h of g.hits) out.push(`  - ${code(h)}`);
    }
    out.push('', '</details>');
  }
  return out.join('\n');
}

/** The Markdown of `mesh-security evaluate --format markdown`: the findings, with locations. */
export function findingsMarkdown(
  findings: Finding[],
  workloads: number,
  locate: ObjectLocator,
): string {
  const out = [
    `**mesh-security evaluate**: ${workloads} workload(s) · ${findings.length} finding(s)`,
  ];
  if (findings.length)
    out.push(
      '',
      '<details><summary>Findings</summary>',
      '',
      findingsTable(findings, locate),
      '',
      '</details>',
    );
  return out.join('\n');
}
