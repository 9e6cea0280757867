import { Finding } from '@mesh-security/plugin-mesh-security-common';
import { ImpactRow, impactTable } from '../analysis/impact';

/** What one request contributes to a pull request body. */
export interface RequestSection {
  title: string;
  requester: string;
  justification: string;
  expiry?: string;
  diff: string;
  impact: ImpactRow[];
  findings: Finding[];
}

/** Free text as a Markdown quote that cannot close our markers or inject HTML comments. */
function quote(text: string): string {
  return text
    .replace(/<!--/g, '&lt;!--')
    .replace(/-->/g, '--&gt;')
    .split(/\r?\n/)
    .map(l => `> ${l}`)
    .join('\n');
}

/** The Markdown section of one request (requester, justification, expiry, diff, impact, findings). */
export function requestSection(s: RequestSection): string {
  const findings = s.findings.length
    ? s.findings
        .map(
          f =>
            `- **${f.code}** (${f.severity}) ${f.object.kind} ${f.object.namespace}/${f.object.name}: ${f.message}`,
        )
        .join('\n')
    : '- none introduced by this change';
  return [
    `### ${s.title}`,
    '',
    `- **Requested by:** \`${s.requester}\``,
    `- **Expires:** ${
      s.expiry
        ? `${s.expiry} — revoke with the "Revoke access" template by then`
        : 'no expiry'
    }`,
    '- **Justification:**',
    '',
    quote(s.justification),
    '',
    '#### Policy change',
    '',
    '```diff',
    s.diff.trimEnd(),
    '```',
    '',
    '#### Impact: callers per port (Mesh Security engine)',
    '',
    impactTable(s.impact),
    '',
    '#### Findings',
    '',
    findings,
  ].join('\n');
}

/** The top of a new pull request's body. */
export function pullRequestHeader(path: string): string {
  return [
    '## Mesh Security access change',
    '',
    `Changes \`${path}\`. Opened by the Backstage scaffolder; each request below lists who asked, why, the YAML diff and the callers before and after.`,
    'Further requests for this file join this pull request instead of opening a conflicting one.',
  ].join('\n');
}
