import { InfoCard, Progress } from '@backstage/core-components';
import { Box, Divider, Typography } from '@material-ui/core';
import {
  EntityPostureSummary,
  findingScope,
} from '@mesh-security/plugin-mesh-security-common';
import { useEntityPostureSummary } from '../../hooks/useEntityPosture';
import { cardTitleHeading } from '../../headings';
import { MESH_LABELS, describeFreshness } from '../../format';
import { ClusterWarnings } from '../ClusterWarnings';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { FindingCounts } from '../FindingCounts';
import { MissingAnnotations } from '../MissingAnnotations';
import { MtlsBadge } from '../MtlsBadge';
import { MtlsModeHelp } from '../MtlsModeLegend';
import { ObservedTrafficSummary } from '../ObservedTraffic';
import { PostureHeadline } from '../PostureHeadline';
import { ScorecardPillars } from '../ScorecardPillars';

/**
 * How many of the findings are the namespaces' or the cluster's (the counts above include
 * them, as the overview's do): "2 about its namespaces, 1 cluster-wide".
 */
const FindingScopes = ({ posture }: { posture: EntityPostureSummary }) => {
  const applied = posture.workloads.flatMap(w => w.policies);
  const counts = { namespace: 0, cluster: 0 };
  for (const f of posture.findings) {
    const scope = findingScope(f, applied);
    if (scope !== 'workload') counts[scope]++;
  }
  const parts = [
    counts.namespace ? `${counts.namespace} about its namespaces` : '',
    counts.cluster ? `${counts.cluster} cluster-wide` : '',
  ].filter(Boolean);
  if (parts.length === 0) return null;
  return (
    <Typography variant="caption" color="textSecondary" component="p">
      Of these, {parts.join(', ')}.
    </Typography>
  );
};

const PostureSummary = ({ posture }: { posture: EntityPostureSummary }) => {
  return (
    <>
      <PostureHeadline posture={posture} />
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
          {describeFreshness(posture.clusters)}
        </Typography>
      </Box>
      <MtlsModeHelp mode={posture.mtls} />
      <Divider />
      <ObservedTrafficSummary workloads={posture.workloads} />
      <ScorecardPillars scorecard={posture.scorecard} />
      <Typography variant="subtitle2" component="h3" gutterBottom>
        Findings
      </Typography>
      <FindingCounts counts={posture.findingCounts} />
      <FindingScopes posture={posture} />
    </>
  );
};

/**
 * The component's mesh security at a glance, led by its worst finding (or a failing pillar):
 * overall mTLS mode, meshes, the zero-trust
 * scorecard, the observed mTLS share, findings by severity and snapshot age, with a link to the Security tab.
 *
 * @public
 */
export const EntityMeshSecurityCard = () => {
  const { value, loading, error, retry, available } = useEntityPostureSummary();
  let content;
  if (!available) {
    content = <MissingAnnotations headingLevel={3} />;
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
      {...cardTitleHeading(2)}
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
