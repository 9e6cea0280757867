import { InfoCard, Progress } from '@backstage/core-components';
import { Box, Divider, Typography } from '@material-ui/core';
import { EntityPosture } from '@mesh-security/plugin-mesh-security-common';
import { useEntityPosture } from '../../hooks/useEntityPosture';
import { MESH_LABELS, formatAge, oldestSnapshotAge } from '../../format';
import { ClusterWarnings } from '../ClusterWarnings';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { FindingCounts } from '../FindingCounts';
import { MissingAnnotations } from '../MissingAnnotations';
import { MtlsBadge } from '../MtlsBadge';
import { ObservedTrafficSummary } from '../ObservedTraffic';
import { ScorecardPillars } from '../ScorecardPillars';

const PostureSummary = ({ posture }: { posture: EntityPosture }) => {
  const age = oldestSnapshotAge(posture.clusters);
  return (
    <>
      <ClusterWarnings
        clusters={posture.clusters}
        partial={posture.partial}
        partialReasons={posture.partialReasons}
      />
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        my={1}
        style={{ gap: 8 }}
      >
        <MtlsBadge
          mode={posture.mtls}
          reason={posture.mtlsReason}
          size="medium"
        />
        <Typography variant="body2" aria-label="Meshes">
          {posture.meshes.length
            ? posture.meshes.map(mesh => MESH_LABELS[mesh]).join(', ')
            : 'No workloads found'}
        </Typography>
        <Typography variant="caption" color="textSecondary">
          {age === null ? 'no snapshot yet' : `snapshot ${formatAge(age)} old`}
        </Typography>
      </Box>
      <Divider />
      <ObservedTrafficSummary workloads={posture.workloads} />
      <ScorecardPillars scorecard={posture.scorecard} />
      <Typography variant="subtitle2" gutterBottom>
        Findings
      </Typography>
      <FindingCounts counts={posture.findingCounts} />
    </>
  );
};

/**
 * The component's mesh security at a glance: overall mTLS mode, meshes, the zero-trust
 * scorecard, the observed mTLS share, findings by severity and snapshot age, with a link to the Security tab.
 *
 * @public
 */
export const EntityMeshSecurityCard = () => {
  const { value, loading, error, retry, available } = useEntityPosture();
  let content;
  if (!available) {
    content = <MissingAnnotations />;
  } else if (loading) {
    content = <Progress />;
  } else if (error) {
    content = <ErrorWithRetry error={error} onRetry={retry} />;
  } else if (value) {
    content = <PostureSummary posture={value} />;
  }
  return (
    <InfoCard
      title="Mesh security"
      subheader="mTLS, authorization and segmentation"
      deepLink={
        available
          ? { title: 'View security details', link: 'mesh-security' }
          : undefined
      }
    >
      <div role="region" aria-label="Mesh security">
        {content}
      </div>
    </InfoCard>
  );
};
