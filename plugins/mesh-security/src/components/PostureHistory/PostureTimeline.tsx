import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Box, Typography } from '@material-ui/core';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { meshSecurityApiRef } from '../../api';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { MtlsBadge } from '../MtlsBadge';
import { DemoDataChip } from './DemoDataChip';
import { formatDay, timelineSentence } from './postureHistory';

/** Mode changes listed under the sentence (the most recent ones). */
const LISTED_CHANGES = 5;

/**
 * A component's mode over time: "STRICT since 3 Nov 2026; was PERMISSIVE for 41 days", and its
 * latest mode changes (docs/backend.md "Posture history").
 */
export const PostureTimeline = ({ entityRef }: { entityRef: string }) => {
  const api = useApi(meshSecurityApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    async () => api.getEntityHistory(entityRef),
    [api, entityRef],
  );
  if (loading) return <Progress />;
  if (error) return <ErrorWithRetry error={error} onRetry={retry} />;
  if (!value) return null;
  const recent = value.changes.slice(-LISTED_CHANGES).reverse();
  return (
    <Box>
      {value.demo && (
        <DemoDataChip description="Changes before the backend's first record are seeded from the demo's recorded events (meshSecurity.history.demoSeed), not measured." />
      )}
      <Typography variant="body2" paragraph>
        {timelineSentence(value)}
      </Typography>
      {recent.length > 1 && (
        <Box component="ol" aria-label="Mode changes" m={0} pl={2}>
          {recent.map(change => (
            <Typography component="li" variant="body2" key={change.at}>
              {formatDay(change.at)}:{' '}
              {change.from ? (
                <>
                  <MtlsBadge mode={change.from} /> →{' '}
                </>
              ) : (
                'first recorded as '
              )}
              <MtlsBadge mode={change.to} />
            </Typography>
          ))}
        </Box>
      )}
    </Box>
  );
};
