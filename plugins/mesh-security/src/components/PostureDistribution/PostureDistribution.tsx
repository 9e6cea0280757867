import {
  Box,
  makeStyles,
  Theme,
  Typography,
  useTheme,
} from '@material-ui/core';
import {
  MTLS_MODES,
  MtlsMode,
} from '@mesh-security/plugin-mesh-security-common';
import { mtlsModeColor } from '../MtlsBadge';

const useStyles = makeStyles((theme: Theme) => ({
  bar: {
    display: 'flex',
    height: theme.spacing(2.5),
    borderRadius: theme.shape.borderRadius,
    overflow: 'hidden',
    backgroundColor: theme.palette.action.hover,
  },
  legend: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1.5),
    margin: theme.spacing(0.5, 0),
  },
  swatch: {
    width: 10,
    height: 10,
    borderRadius: 2,
    display: 'inline-block',
    marginRight: 4,
  },
}));

/** "3 STRICT, 1 PERMISSIVE" — the counts as text, for screen readers and the caption. */
export function describeDistribution(byMode: Record<MtlsMode, number>): string {
  const parts = MTLS_MODES.filter(m => byMode[m]).map(m => `${byMode[m]} ${m}`);
  return parts.length ? parts.join(', ') : 'no components';
}

/**
 * One stacked horizontal bar: a segment per mode, as wide as its share, with the counts as
 * text. PARTIAL is hatched to tell it apart from PERMISSIVE without relying on colour.
 */
export const DistributionBar = ({
  label,
  byMode,
}: {
  label: string;
  byMode: Record<MtlsMode, number>;
}) => {
  const classes = useStyles();
  const theme = useTheme();
  const total = MTLS_MODES.reduce((sum, m) => sum + (byMode[m] ?? 0), 0);
  const text = describeDistribution(byMode);
  return (
    <Box mb={1.5}>
      <Box display="flex" justifyContent="space-between">
        <Typography variant="body2">{label}</Typography>
        <Typography variant="caption" color="textSecondary">
          {text}
        </Typography>
      </Box>
      <div className={classes.bar} role="img" aria-label={`${label}: ${text}`}>
        {MTLS_MODES.filter(m => byMode[m]).map(mode => (
          <div
            key={mode}
            data-mode={mode}
            title={`${byMode[mode]} ${mode}`}
            style={{
              width: `${(100 * byMode[mode]) / total}%`,
              backgroundColor: mtlsModeColor(theme, mode),
              backgroundImage:
                mode === 'PARTIAL'
                  ? 'repeating-linear-gradient(45deg, transparent 0 4px, rgba(255,255,255,0.45) 4px 7px)'
                  : undefined,
            }}
          />
        ))}
      </div>
    </Box>
  );
};

/** The legend shared by all bars. */
export const DistributionLegend = () => {
  const classes = useStyles();
  const theme = useTheme();
  return (
    <div className={classes.legend} aria-hidden>
      {MTLS_MODES.map(mode => (
        <Typography key={mode} variant="caption">
          <span
            className={classes.swatch}
            style={{ backgroundColor: mtlsModeColor(theme, mode) }}
          />
          {mode}
        </Typography>
      ))}
    </div>
  );
};

/**
 * How many components are STRICT / PERMISSIVE / PARTIAL / DISABLED / UNKNOWN, overall and per
 * owner.
 */
export const PostureDistribution = ({
  byMode,
  byOwner,
}: {
  byMode: Record<MtlsMode, number>;
  byOwner: Array<{ owner: string; byMode: Record<MtlsMode, number> }>;
}) => (
  <Box>
    <DistributionLegend />
    <DistributionBar label="All components" byMode={byMode} />
    {byOwner.map(o => (
      <DistributionBar key={o.owner} label={o.owner} byMode={o.byMode} />
    ))}
  </Box>
);
