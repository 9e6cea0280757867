import { List, ListItem, ListItemText } from '@material-ui/core';
import {
  ClusterStatus,
  PartialReason,
} from '@mesh-security/plugin-mesh-security-common';
import { formatAge } from '../../format';
import { SectionWarningPanel } from '../SectionWarningPanel';
import { wrappingSecondary } from '../textWrap';

/** Whether a cluster's data is incomplete or old enough to mention. */
export function clusterHasProblem(cluster: ClusterStatus): boolean {
  return (
    cluster.status !== 'ok' ||
    cluster.stale ||
    cluster.freshness?.state === 'behind' ||
    cluster.freshness?.state === 'reconnecting' ||
    cluster.forbidden.length > 0 ||
    cluster.errors.length > 0
  );
}

/** One sentence about what is wrong with a cluster's data. */
export function describeClusterProblem(cluster: ClusterStatus): string {
  const parts: string[] = [];
  if (cluster.status === 'unreachable') {
    parts.push(
      cluster.unreachableSince
        ? `unreachable since ${new Date(
            cluster.unreachableSince,
          ).toLocaleString()}`
        : 'unreachable',
    );
  } else if (cluster.status === 'pending') {
    parts.push('not read yet');
  }
  if (cluster.stale) parts.push('stale');
  const freshness = cluster.freshness;
  if (freshness?.state === 'reconnecting') {
    parts.push(
      `watch reconnecting${
        freshness.reconnecting?.length
          ? ` (${freshness.reconnecting.join(', ')})`
          : ''
      }: changes to those kinds may be missing`,
    );
  }
  // A watched cluster's snapshot age is its lag, said only when it is behind.
  const watched = freshness?.mode === 'watch' && freshness.state !== 'pending';
  if (freshness?.state === 'behind' && freshness.lagSeconds !== null) {
    parts.push(`${formatAge(freshness.lagSeconds)} behind`);
  } else if (!watched && cluster.snapshotAgeSeconds !== null) {
    parts.push(`snapshot ${formatAge(cluster.snapshotAgeSeconds)} old`);
  }
  if (cluster.forbidden.length) {
    parts.push(
      `not allowed to list ${cluster.forbidden.map(f => f.kind).join(', ')}`,
    );
  }
  if (cluster.errors.length) {
    parts.push(`could not read ${cluster.errors.map(e => e.kind).join(', ')}`);
  }
  if (cluster.error) parts.push(cluster.error);
  return parts.join(' · ');
}

/** One kind that could not be read: why, since when, and what answers use instead. */
function describeKindReason(reason: PartialReason): string {
  const parts = [`${reason.kind}: ${reason.message}`];
  if (reason.since)
    parts.push(`since ${new Date(reason.since).toLocaleString()}`);
  parts.push(
    reason.fetchedAt
      ? `answers use what was read ${new Date(
          reason.fetchedAt,
        ).toLocaleString()}`
      : 'never read: what depends on it is unknown',
  );
  return parts.join(' · ');
}

/**
 * A warning when answers were built from incomplete data: clusters unreachable, stale, not
 * read yet, or partly unreadable, each kind not read named with its reason. Renders nothing
 * when all is well. `headingLevel` is its title's level where it sits (default 3, under a
 * section's `h2`).
 */
export const ClusterWarnings = ({
  clusters,
  partial,
  partialReasons,
  headingLevel = 3,
}: {
  clusters: ClusterStatus[];
  partial: boolean;
  partialReasons: PartialReason[];
  headingLevel?: 2 | 3 | 4;
}) => {
  const problems = clusters.filter(clusterHasProblem);
  if (!partial && problems.length === 0) return null;
  return (
    <SectionWarningPanel
      headingLevel={headingLevel}
      severity="warning"
      title={`Partial data: ${problems.length || 'some'} cluster${
        problems.length === 1 ? '' : 's'
      } could not be read completely`}
      defaultExpanded
    >
      <List dense aria-label="Clusters with incomplete data">
        {problems.map(cluster => (
          <ListItem key={cluster.name} disableGutters>
            <ListItemText
              primary={cluster.name}
              secondary={[
                describeClusterProblem(cluster),
                ...partialReasons
                  .filter(r => r.cluster === cluster.name && r.kind)
                  .map(describeKindReason),
              ].map(line => (
                <span key={line} style={{ display: 'block' }}>
                  {line}
                </span>
              ))}
              secondaryTypographyProps={wrappingSecondary}
            />
          </ListItem>
        ))}
      </List>
    </SectionWarningPanel>
  );
};
