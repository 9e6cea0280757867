import {
  InfoCard,
  Link,
  Progress,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { Box, Button, Chip, Typography } from '@material-ui/core';
import RefreshIcon from '@material-ui/icons/Refresh';
import {
  AccessChangeKind,
  AccessChangePullRequest,
  EntityPullRequests,
  GITOPS_REPO_ANNOTATION,
} from '@mesh-security/plugin-mesh-security-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { meshSecurityApiRef } from '../../api';
import { formatAge } from '../../format';
import { cardTitleHeading } from '../../headings';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { SectionWarningPanel } from '../SectionWarningPanel';
import { accessPullRequestsUrl, pullRequestsSearchUrl } from '../RequestAccess';

/** What each scaffolder action's pull requests do, in the words of the templates. */
const CHANGE_LABELS: Record<AccessChangeKind, string> = {
  request: 'Access request',
  revoke: 'Access revocation',
  enforce: 'STRICT mTLS',
};

type PullRequestRow = AccessChangePullRequest & { id: string; age: string };

/** "3 h" since an ISO timestamp; a dash when the forge did not say. */
function ageOf(iso: string, now: number): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '—' : formatAge((now - t) / 1000);
}

const columns: TableColumn<PullRequestRow>[] = [
  {
    title: 'Pull request',
    field: 'title',
    highlight: true,
    render: row => (
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <Link to={row.url}>
          #{row.number} {row.title}
        </Link>
        {row.draft && <Chip size="small" label="Draft" variant="outlined" />}
      </Box>
    ),
  },
  {
    title: 'Change',
    field: 'change',
    render: row => CHANGE_LABELS[row.change] ?? row.change,
  },
  { title: 'Author', field: 'author', render: row => row.author ?? '—' },
  {
    title: 'Age',
    field: 'age',
    customSort: (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt),
  },
];

/** The GitHub page listing the component's pull requests, when there is one to link to. */
function viewAllLink(entity: Entity, value?: EntityPullRequests) {
  const annotated = accessPullRequestsUrl(entity);
  if (annotated) return annotated;
  if (value?.repository && value.status !== 'unsupported-host') {
    return pullRequestsSearchUrl(value.repository.url, entity.metadata.name);
  }
  return undefined;
}

/** One line when no repository is set up; how to set one up behind a disclosure. */
const NotConfigured = ({ message }: { message?: string }) => (
  <Box component="details">
    <Typography variant="body2" component="summary">
      Open access-change pull requests: none is set up for this component (no
      GitOps repository). How to set one up
    </Typography>
    <Typography variant="body2" paragraph>
      Access changes are opened as pull requests in the GitOps repository. Add
      the annotation{' '}
      <code>
        {GITOPS_REPO_ANNOTATION}: github.com/&lt;owner&gt;/&lt;repo&gt;
      </code>{' '}
      to the component, or set{' '}
      <code>meshSecurity.accessRequests.repository</code> in the app
      configuration. A repository other than that one must be listed in{' '}
      <code>meshSecurity.accessRequests.allowedRepositories</code>.
    </Typography>
    {message && (
      <Typography variant="caption" color="textSecondary">
        {message}
      </Typography>
    )}
  </Box>
);

const PullRequests = ({
  value,
  onRetry,
}: {
  value: EntityPullRequests;
  onRetry: () => void;
}) => {
  switch (value.status) {
    case 'unsupported-host':
      return (
        <Typography variant="body2">
          Pull requests can be listed for GitHub repositories only.{' '}
          {value.message}
        </Typography>
      );
    case 'error':
      return (
        <Box>
          <SectionWarningPanel
            title="Could not list the pull requests"
            message={value.message}
            defaultExpanded
          />
          <Box mt={1}>
            <Button
              variant="outlined"
              startIcon={<RefreshIcon />}
              onClick={onRetry}
            >
              Retry
            </Button>
          </Box>
        </Box>
      );
    default:
      break;
  }
  if (value.pullRequests.length === 0) {
    return (
      <Typography variant="body2">
        No open access-change pull requests
      </Typography>
    );
  }
  const now = Date.now();
  const rows: PullRequestRow[] = value.pullRequests.map(pr => ({
    ...pr,
    id: String(pr.number),
    age: ageOf(pr.createdAt, now),
  }));
  return (
    <Box>
      <Table<PullRequestRow>
        columns={columns}
        data={rows}
        options={{
          toolbar: false,
          paging: rows.length > 10,
          pageSize: 10,
          search: false,
          padding: 'dense',
        }}
      />
      {value.truncated && (
        <Typography variant="caption" color="textSecondary">
          The repository has more open pull requests than were read; older ones
          may be missing.
        </Typography>
      )}
    </Box>
  );
};

/**
 * The component's open access-change pull requests in its GitOps repository, as the scaffolder
 * actions opened them, with a link to all of them on GitHub; one line (with how to set one up
 * behind a disclosure) when no repository is configured.
 */
export const AccessChangePullRequestsCard = ({
  entity,
}: {
  entity: Entity;
}) => {
  const api = useApi(meshSecurityApiRef);
  const entityRef = stringifyEntityRef(entity);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getEntityPullRequests(entityRef),
    [api, entityRef],
  );
  const link = viewAllLink(entity, value);
  if (value?.status === 'not-configured' && !loading)
    return (
      <Box component="section" aria-label="Open access-change pull requests">
        <NotConfigured message={value.message} />
      </Box>
    );
  let content;
  if (loading) content = <Progress />;
  else if (error) content = <ErrorWithRetry error={error} onRetry={retry} />;
  else if (value) content = <PullRequests value={value} onRetry={retry} />;
  return (
    <InfoCard
      title="Open access-change pull requests"
      {...cardTitleHeading(2)}
      deepLink={link ? { title: 'View all on GitHub', link } : undefined}
    >
      <Box component="section" aria-label="Open access-change pull requests">
        {content}
      </Box>
    </InfoCard>
  );
};
