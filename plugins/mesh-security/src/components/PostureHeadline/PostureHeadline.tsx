import {
  Box,
  makeStyles,
  Theme,
  Typography,
  useTheme,
} from '@material-ui/core';
import {
  EntityPostureSummary,
  Finding,
  FINDING_SCOPES,
  findingDefinition,
  findingScope,
  FindingScope,
  PillarStatus,
  SEVERITIES,
} from '@mesh-security/plugin-mesh-security-common';
import { readableColor } from '../../contrast';
import { SeverityChip, severityColor } from '../FindingCounts';
import { PILLARS } from '../ScorecardPillars';

/** What the summary says first: the worst finding, or else the first failing pillar. */
export type PostureLead =
  | {
      kind: 'finding';
      finding: Finding;
      scope: FindingScope;
      /** How many other findings there are (any severity). */
      others: number;
    }
  | { kind: 'pillar'; title: string; detail: string; status: PillarStatus };

/** Who can act on a finding of each scope, after the finding's object. */
const SCOPE_WORDS: Record<FindingScope, string> = {
  workload: '',
  namespace: ' (in its namespace)',
  cluster: ' (cluster-wide, for the platform team)',
};

/**
 * The worst of the findings: the most severe, and among equally severe ones the component's own
 * before its namespaces' and the cluster's (the ones its owners can fix), then in the backend's
 * order. `info` findings never lead (they are nothing to fix by themselves).
 */
export function worstFinding(
  posture: Pick<EntityPostureSummary, 'findings' | 'workloads'>,
): { finding: Finding; scope: FindingScope } | undefined {
  const applied = posture.workloads.flatMap(w => w.policies);
  const ranked = posture.findings
    .filter(finding => finding.severity !== 'info')
    .map((finding, order) => ({
      finding,
      scope: findingScope(finding, applied),
      order,
    }))
    .sort(
      (a, b) =>
        SEVERITIES.indexOf(a.finding.severity) -
          SEVERITIES.indexOf(b.finding.severity) ||
        FINDING_SCOPES.indexOf(a.scope) - FINDING_SCOPES.indexOf(b.scope) ||
        a.order - b.order,
    );
  if (ranked.length === 0) return undefined;
  const { finding, scope } = ranked[0];
  return { finding, scope };
}

/**
 * What the summary of a component leads with: its worst finding (see {@link worstFinding}); with
 * no finding to fix, a failing pillar (a pillar fails only with a reason, e.g. a caller blocked
 * by configuration); undefined when neither — then the mode leads.
 */
export function postureLead(
  posture: EntityPostureSummary,
): PostureLead | undefined {
  const worst = worstFinding(posture);
  if (worst)
    return {
      kind: 'finding',
      ...worst,
      others: posture.findings.length - 1,
    };
  const failing = PILLARS.find(
    ({ key }) => posture.scorecard[key].status === 'fail',
  );
  if (failing) {
    const pillar = posture.scorecard[failing.key];
    return {
      kind: 'pillar',
      title: failing.title,
      detail: pillar.detail,
      status: pillar.status,
    };
  }
  return undefined;
}

const useStyles = makeStyles<Theme, { color: string }>(theme => ({
  lead: ({ color }) => ({
    borderLeft: `4px solid ${color}`,
    paddingLeft: theme.spacing(1.5),
    marginBottom: theme.spacing(1),
  }),
  title: { fontWeight: theme.typography.fontWeightBold as number },
  text: { overflowWrap: 'break-word' },
}));

const objectName = (f: Finding) =>
  `${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${
    f.object.name
  }`;

const FindingLead = ({
  lead,
}: {
  lead: Extract<PostureLead, { kind: 'finding' }>;
}) => {
  const { finding, scope, others } = lead;
  const classes = useStyles({ color: '' });
  const definition = findingDefinition(finding.code);
  return (
    <>
      <Box display="flex" alignItems="center" flexWrap="wrap">
        <SeverityChip severity={finding.severity} />
        <Typography component="p" variant="body1" className={classes.title}>
          {finding.code}
          {definition ? `: ${definition.title}` : ''}
        </Typography>
      </Box>
      <Typography variant="body2" className={classes.text}>
        {finding.message}
      </Typography>
      <Typography
        variant="caption"
        color="textSecondary"
        component="p"
        className={classes.text}
      >
        About {objectName(finding)}
        {SCOPE_WORDS[scope]}
        {others > 0
          ? ` · ${others} other finding${others === 1 ? '' : 's'}`
          : ''}
        .
      </Typography>
    </>
  );
};

/**
 * The line a summary leads with, before the mode: the component's worst finding (severity,
 * code, title, message, who fixes it) or a failing pillar, so that a green STRICT never reads
 * first while a caller is blocked or traffic is exposed. Nothing when there is nothing to fix.
 */
export const PostureHeadline = ({
  posture,
}: {
  posture: EntityPostureSummary;
}) => {
  const theme = useTheme();
  const lead = postureLead(posture);
  const classes = useStyles({
    color: readableColor(
      lead?.kind === 'finding'
        ? severityColor(theme, lead.finding.severity)
        : theme.palette.error.main,
      [theme.palette.background.paper],
    ),
  });
  if (!lead) return null;
  return (
    <Box
      className={classes.lead}
      component="section"
      aria-label={lead.kind === 'finding' ? 'Worst finding' : 'Failing pillar'}
      data-testid="posture-headline"
    >
      {lead.kind === 'finding' ? (
        <FindingLead lead={lead} />
      ) : (
        <>
          <Typography component="p" variant="body1" className={classes.title}>
            {lead.title} fails
          </Typography>
          <Typography variant="body2" className={classes.text}>
            {lead.detail}
          </Typography>
        </>
      )}
    </Box>
  );
};
