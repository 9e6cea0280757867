import { InfoCard, Progress } from '@backstage/core-components';
import { Box, Grid, Typography } from '@material-ui/core';
import { Entity } from '@backstage/catalog-model';
import {
  EntityPosture,
  EntityWorkload,
} from '@mesh-security/plugin-mesh-security-common';
import { useEntityPosture } from '../../hooks/useEntityPosture';
import { cardTitleHeading } from '../../headings';
import { MESH_LABELS, describeFreshness } from '../../format';
import { AccessChangePullRequestsCard } from '../AccessChangePullRequests';
import { AccessGraph } from '../AccessGraph';
import { AccessTable } from '../AccessTable';
import { ClusterWarnings } from '../ClusterWarnings';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { FindingCounts } from '../FindingCounts';
import { PostureTimeline } from '../PostureHistory';
import { FindingsTable } from '../FindingsTable';
import { MissingAnnotations } from '../MissingAnnotations';
import { MtlsBadge } from '../MtlsBadge';
import { MtlsModeHelp } from '../MtlsModeLegend';
import { ObservedTraffic } from '../ObservedTraffic';
import { PolicyList } from '../PolicyList';
import { PostureHeadline } from '../PostureHeadline';
import { RequestAccessButton } from '../RequestAccess';
import { ScorecardPillars } from '../ScorecardPillars';
import { WorkloadDetails } from '../WorkloadDetails';

const workloadTitle = (w: EntityWorkload) => `${w.namespace}/${w.name}`;

const Workload = ({ workload }: { workload: EntityWorkload }) => (
  <Grid item xs={12}>
    <InfoCard
      title={workloadTitle(workload)}
      {...cardTitleHeading(2)}
      subheader={`${workload.kind} in cluster ${workload.cluster}`}
    >
      <Box
        component="section"
        aria-label={`Workload ${workloadTitle(workload)}`}
      >
        <WorkloadDetails workload={workload} />
        <Typography variant="h6" component="h3" style={{ marginTop: 16 }}>
          Observed traffic
        </Typography>
        <ObservedTraffic workload={workload} />
        <Typography variant="h6" component="h3" style={{ marginTop: 16 }}>
          Who can call me, whom can I call
        </Typography>
        <AccessGraph workload={workload} />
        <Box mt={2}>
          <AccessTable workload={workload} />
        </Box>
      </Box>
    </InfoCard>
  </Grid>
);

const Posture = ({
  posture,
  entity,
}: {
  posture: EntityPosture;
  entity: Entity;
}) => {
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <ClusterWarnings
          headingLevel={2}
          clusters={posture.clusters}
          partial={posture.partial}
          partialReasons={posture.partialReasons}
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Posture" {...cardTitleHeading(2)}>
          <PostureHeadline posture={posture} />
          <Box
            display="flex"
            alignItems="center"
            flexWrap="wrap"
            style={{ gap: 8 }}
          >
            <MtlsBadge
              mode={posture.mtls}
              reason={posture.mtlsReason}
              size="medium"
            />
            <Typography variant="body2">
              {posture.meshes.map(m => MESH_LABELS[m]).join(', ') ||
                'No workloads found'}
            </Typography>
            <Typography variant="caption" color="textSecondary">
              {describeFreshness(posture.clusters)} · clusters{' '}
              {posture.clusters.map(c => c.name).join(', ') || 'none'}
            </Typography>
          </Box>
          <MtlsModeHelp mode={posture.mtls} />
          <ScorecardPillars scorecard={posture.scorecard} />
          <FindingCounts counts={posture.findingCounts} />
          <Box mt={2}>
            <Typography variant="subtitle2" component="h3">
              Over time
            </Typography>
            <PostureTimeline entityRef={posture.entityRef} />
          </Box>
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Access changes" {...cardTitleHeading(2)}>
          <Typography variant="body2" paragraph>
            Need to call this component? Request access: the template opens a
            pull request that changes the policies, for the owners to review.
          </Typography>
          <RequestAccessButton entity={entity} />
        </InfoCard>
      </Grid>
      {posture.workloads.length === 0 && (
        <Grid item xs={12}>
          <Typography variant="body1">
            No workload matches this component&apos;s Kubernetes annotations in
            any cluster.
          </Typography>
        </Grid>
      )}
      {posture.workloads.map(w => (
        <Workload key={`${w.cluster}/${w.namespace}/${w.name}`} workload={w} />
      ))}
      <Grid item xs={12}>
        <InfoCard title="Applicable policies" {...cardTitleHeading(2)}>
          <PolicyList policies={posture.workloads.flatMap(w => w.policies)} />
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <FindingsTable
          findings={posture.findings}
          applied={posture.workloads.flatMap(w => w.policies)}
        />
      </Grid>
      <Grid item xs={12}>
        <AccessChangePullRequestsCard entity={entity} />
      </Grid>
    </Grid>
  );
};

/**
 * The component's "Security" tab: per workload its ports, identity and meshed pods, the
 * traffic observed per port, the who-can-call graph and table (with the observed status of each
 * edge), applicable policies with YAML, findings grouped by who can act on them, Request
 * access and, below the analysis, the component's open access-change pull requests.
 *
 * @public
 */
export const EntityMeshSecurityContent = () => {
  const { value, loading, error, retry, available, entity } =
    useEntityPosture();
  if (!available) return <MissingAnnotations />;
  if (loading) return <Progress />;
  if (error) return <ErrorWithRetry error={error} onRetry={retry} />;
  if (!value) return null;
  return <Posture posture={value} entity={entity} />;
};
