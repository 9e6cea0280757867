import {
  accessChangeTargetMarker,
  Finding,
} from '@mesh-security/plugin-mesh-security-common';
import { ImpactRow, impactTable } from '../analysis/impact';

/** What one request contributes to a pull request body. */
export interface RequestSection {
  /** The target component's entity ref (validated); marked in the body for the Security tab. */
  target: string;
  title: string;
  requester: string;
  justification: string;
  expiry?: string;
  diff: string;
  impact: ImpactRow[];
  findings: Finding[];
  /** Explanations for the reviewers (mesh semantics the change relies on). */
  notes?: string[];
  /** Revoke: what was removed. */
  removed?: string[];
  /**
   * What the reviewers must know the change does not do, under `warningsHeading`: requests the
   * mesh will allow that a NetworkPolicy still blocks (request), revoked requests that stay
   * allowed (revoke), ports that stay without STRICT mTLS (enforce).
   */
  warnings?: string[];
  /** The sentence above the warnings (default: the request's NetworkPolicy one). */
  warningsHeading?: string;
  /** What the observed traffic says about the change (docs/traffic.md "In the scaffolder"). */
  evidence?: string[];
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

/** The heading of the observed traffic in pull request bodies and the impact output. */
export const evidenceHeading =
  '#### Observed traffic (evidence window, from the mesh metrics)';

/** A Markdown list of generated lines (our own text, built from validated values). */
const list = (lines: string[]) => lines.map(l => `- ${l}`).join('\n');

/**
 * The Markdown section of one request (requester, justification, expiry, warnings, diff, what was
 * removed, impact, notes, findings).
 */
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
    // Ties the pull request to the component (the backend lists it on its Security tab), also
    // when a later request for another component joins it.
    accessChangeTargetMarker(s.target),
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
    ...(s.warnings?.length
      ? [
          '> [!WARNING]',
          `> ${
            s.warningsHeading ??
            'A NetworkPolicy still blocks what this change allows in the mesh:'
          }`,
          ...s.warnings.map(w => `> - ${w}`),
          '',
        ]
      : []),
    '#### Policy change',
    '',
    '```diff',
    s.diff.trimEnd(),
    '```',
    '',
    ...(s.removed
      ? [
          '#### Removed',
          '',
          list(s.removed.length ? s.removed : ['nothing']),
          '',
        ]
      : []),
    '#### Impact: callers per port (Mesh Security engine)',
    '',
    impactTable(s.impact),
    '',
    ...(s.evidence?.length ? [evidenceHeading, '', list(s.evidence), ''] : []),
    ...(s.notes?.length ? ['#### Notes', '', list(s.notes), ''] : []),
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
