import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import { List, ListItem, ListItemText, Typography } from '@material-ui/core';
import {
  PillarStatus,
  Scorecard,
} from '@mesh-security/plugin-mesh-security-common';
import { ReactNode } from 'react';
import { wrappingSecondary } from '../textWrap';

/** The four zero-trust practices, in the order docs/architecture.md "Domain words" names them. */
export const PILLARS: Array<{ key: keyof Scorecard; title: string }> = [
  { key: 'verifyExplicitly', title: 'Verify explicitly' },
  { key: 'leastPrivilege', title: 'Least privilege' },
  { key: 'assumeBreach', title: 'Assume breach' },
  { key: 'noCredentialLeakage', title: 'No credential leakage' },
];

/** A pillar status as Backstage's status indicator followed by its word. */
export const PillarStatusIndicator = ({
  status,
  children,
  hideText,
}: {
  status: PillarStatus;
  children?: ReactNode;
  hideText?: boolean;
}) => {
  const text = hideText ? '' : children ?? status;
  switch (status) {
    case 'pass':
      return <StatusOK>{text}</StatusOK>;
    case 'warn':
      return <StatusWarning>{text}</StatusWarning>;
    case 'fail':
      return <StatusError>{text}</StatusError>;
    default:
      return <StatusAborted>{text}</StatusAborted>;
  }
};

/**
 * The zero-trust scorecard: one line per pillar with pass/warn/fail/unknown and the detail.
 *
 * @public
 */
export const ScorecardPillars = ({
  scorecard,
  dense = true,
}: {
  scorecard: Scorecard;
  dense?: boolean;
}) => (
  <List dense={dense} aria-label="Zero-trust scorecard" disablePadding>
    {PILLARS.map(({ key, title }) => {
      const pillar = scorecard[key];
      return (
        <ListItem
          key={key}
          disableGutters
          aria-label={`${title}: ${pillar.status}`}
        >
          <ListItemText
            primary={
              <PillarStatusIndicator status={pillar.status}>
                {title}
                <Typography
                  component="span"
                  variant="caption"
                  style={{ marginLeft: 4 }}
                >
                  ({pillar.status})
                </Typography>
              </PillarStatusIndicator>
            }
            secondary={pillar.detail}
            // The reason wraps (never clipped); the full text is also its title.
            secondaryTypographyProps={{
              ...wrappingSecondary,
              title: pillar.detail,
            }}
          />
        </ListItem>
      );
    })}
  </List>
);

/**
 * The scorecard in one line (for table cells): a status dot per pillar with its title, status
 * and reason as tooltip. Backstage's status dots are `aria-hidden`, so each dot is an image named
 * "Verify explicitly: pass" for screen readers (a label on a plain span is not read).
 */
export const ScorecardSummary = ({ scorecard }: { scorecard: Scorecard }) => (
  <span style={{ display: 'inline-flex', whiteSpace: 'nowrap' }}>
    {PILLARS.map(({ key, title }) => (
      <span
        key={key}
        role="img"
        title={`${title}: ${scorecard[key].status} — ${scorecard[key].detail}`}
        aria-label={`${title}: ${scorecard[key].status}`}
      >
        <PillarStatusIndicator status={scorecard[key].status} hideText />
      </span>
    ))}
  </span>
);
