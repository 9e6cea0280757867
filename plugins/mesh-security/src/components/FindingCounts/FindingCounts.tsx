import { Box, Chip, makeStyles, Theme } from '@material-ui/core';
import {
  Severity,
  SEVERITIES,
} from '@mesh-security/plugin-mesh-security-common';
import { readableColor } from '../../contrast';

/** Theme colour of a severity (semantic palette, so it follows light and dark themes). */
export function severityColor(theme: Theme, severity: Severity): string {
  switch (severity) {
    case 'critical':
    case 'high':
      return theme.palette.error.main;
    case 'medium':
      return theme.palette.warning.main;
    case 'low':
      return theme.palette.info.main;
    default:
      return theme.palette.text.secondary;
  }
}

const useStyles = makeStyles<Theme, { severity: Severity; zero: boolean }>(
  theme => ({
    // Text shaded to 4.5:1 on the card (WCAG 1.4.3); the palette's own shades are lighter.
    chip: ({ severity, zero }) => ({
      color: readableColor(
        zero ? theme.palette.text.secondary : severityColor(theme, severity),
        [theme.palette.background.paper, theme.palette.background.default],
      ),
      borderColor: zero
        ? theme.palette.divider
        : readableColor(severityColor(theme, severity), [
            theme.palette.background.paper,
            theme.palette.background.default,
          ]),
      marginRight: theme.spacing(0.5),
      marginBottom: theme.spacing(0.5),
    }),
  }),
);

/** One severity's count as an outlined chip. */
export const SeverityChip = ({
  severity,
  count,
}: {
  severity: Severity;
  count?: number;
}) => {
  const classes = useStyles({ severity, zero: count === 0 });
  const label = count === undefined ? severity : `${count} ${severity}`;
  return (
    <Chip
      size="small"
      variant="outlined"
      className={classes.chip}
      label={label}
      aria-label={
        count === undefined
          ? `severity ${severity}`
          : `${count} ${severity} findings`
      }
    />
  );
};

/**
 * Counts of findings by severity.
 *
 * @public
 */
export const FindingCounts = ({
  counts,
  compact,
}: {
  counts: Record<Severity, number>;
  /** Leave out severities without findings (for table cells). */
  compact?: boolean;
}) => (
  <Box
    display="flex"
    flexWrap="wrap"
    role="list"
    aria-label="Findings by severity"
  >
    {compact && SEVERITIES.every(s => !counts[s]) && (
      <span role="listitem">none</span>
    )}
    {SEVERITIES.filter(s => !compact || counts[s]).map(severity => (
      <span role="listitem" key={severity}>
        <SeverityChip severity={severity} count={counts[severity] ?? 0} />
      </span>
    ))}
  </Box>
);
