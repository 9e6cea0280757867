import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Box, Typography, useTheme } from '@material-ui/core';
import { DemoDataChip } from './DemoDataChip';
import { DownloadHistoryCsv } from './DownloadHistoryCsv';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { meshSecurityApiRef } from '../../api';
import { ErrorWithRetry } from '../ErrorWithRetry';
import {
  formatDay,
  linePoints,
  severeFindings,
  strictShare,
  trendSentence,
} from './postureHistory';

const WIDTH = 600;
const HEIGHT = 120;
/** Days the overview draws (and downloads). */
const DAYS = 90;

/**
 * The catalog's STRICT-port share and its critical and high findings per day (the last 90
 * days, downloadable as CSV), for all components the viewer may read or one owner's. The chart has its sentence as
 * text alternative and under it, so it is never the only way to read the trend.
 */
export const PostureTrend = ({ owner }: { owner?: string }) => {
  const api = useApi(meshSecurityApiRef);
  const theme = useTheme();
  const { value, loading, error, retry } = useAsyncRetry(
    async () => api.getOverviewHistory({ owner, days: DAYS }),
    [api, owner],
  );
  if (loading) return <Progress />;
  if (error) return <ErrorWithRetry error={error} onRetry={retry} />;
  if (!value) return null;
  if (!value.enabled) {
    return (
      <Typography variant="body2" color="textSecondary">
        Posture history is turned off in this Backstage
        (meshSecurity.history.enabled).
      </Typography>
    );
  }
  const { days } = value;
  const sentence = trendSentence(days);
  if (days.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No history recorded yet: the backend records each component&apos;s
        posture once the clusters have been read, then every hour.
      </Typography>
    );
  }
  const maxSevere = Math.max(1, ...days.map(severeFindings));
  const strict = linePoints(days.map(strictShare), WIDTH, HEIGHT);
  const severe = linePoints(
    days.map(d => severeFindings(d) / maxSevere),
    WIDTH,
    HEIGHT,
  );
  return (
    <Box>
      {value.demo && (
        <DemoDataChip description="Days before the backend's first record are seeded from the demo's recorded events (meshSecurity.history.demoSeed), not measured." />
      )}
      <svg
        role="img"
        aria-label={sentence}
        viewBox={`-4 -4 ${WIDTH + 8} ${HEIGHT + 8}`}
        width="100%"
        preserveAspectRatio="none"
        style={{ maxHeight: 160 }}
      >
        <line
          x1={0}
          x2={WIDTH}
          y1={HEIGHT}
          y2={HEIGHT}
          stroke={theme.palette.divider}
        />
        {strict.map(points => (
          <polyline
            key={`strict-${points}`}
            data-series="strict"
            points={points}
            fill="none"
            stroke={theme.palette.success.main}
            strokeWidth={2.5}
            vectorEffect="non-scaling-stroke"
          />
        ))}
        {severe.map(points => (
          <polyline
            key={`severe-${points}`}
            data-series="severe"
            points={points}
            fill="none"
            stroke={theme.palette.error.main}
            strokeWidth={2}
            strokeDasharray="6 4"
            vectorEffect="non-scaling-stroke"
          />
        ))}
      </svg>
      <Typography variant="caption" component="p" color="textSecondary">
        Solid: share of STRICT ports (0–100 %). Dashed: critical and high
        findings (0–{maxSevere}). {formatDay(days[0].day)} to{' '}
        {formatDay(days[days.length - 1].day)}.
      </Typography>
      <Typography variant="body2" paragraph>
        {sentence}
      </Typography>
      <DownloadHistoryCsv owner={owner} days={DAYS} />
    </Box>
  );
};
