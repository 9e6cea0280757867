import {
  InfoCard,
  Link,
  Progress,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { Box, Chip, Typography } from '@material-ui/core';
import {
  AccessChangeKind,
  CatalogAccessChangePullRequest,
  CatalogPullRequests,
} from '@mesh-security/plugin-mesh-security-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { meshSecurityApiRef } from '../../api';
import { formatAge } from '../../format';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { SectionWarningPanel } from '../SectionWarningPanel';

const TITLE = 'Access changes awaiting review';

/** What each scaffolder action's pull requests do, in the words of the templates. */
const CHANGE_LABELS: Record<AccessChangeKind, string> = {
  request: 'Access request',
  revoke: 'Access revocation',
  enforce: 'STRICT mTLS',
};

type Row = CatalogAccessChangePullRequest & { id: string; age: string };

/** `payments-api`, or `other-ns/payments-api` outside the default namespace. */
function componentName(ref: string): string {
  try {
    const { namespace, name } = parseEntityRef(ref);
    return namespace === 'default' ? name : `${namespace}/${name}`;
  } catch {
    return ref;
  }
}

const columns: TableColumn<Row>[] = [
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
    title: 'Component',
    field: 'components',
    render: row => (
      <Box display="flex" flexDirection="column">
        {row.components.map(ref => {
          const { namespace, name } = parseEntityRef(ref);
          return (
            <Link
              key={ref}
              to={`/catalog/${namespace}/component/${name}/mesh-security`}
            >
              {componentName(ref)}
            </Link>
          );
        })}
      </Box>
    ),
  },
  {
    title: 'Change',
    field: 'change',
    render: row => CHANGE_LABELS[row.change] ?? row.change,
  },
  {
    title: 'Requested by',
    field: 'requesters',
    render: row =>
      row.requesters?.length
        ? row.requesters.join(', ')
        : row.author ?? 'unknown',
  },
  {
    title: 'Age',
    field: 'age',
    customSort: (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt),
  },
];

const Listing = ({ value }: { value: CatalogPullRequests }) => {
  const now = Date.now();
  const rows: Row[] = value.pullRequests.map(pr => ({
    ...pr,
    id: pr.url,
    age: Number.isNaN(Date.parse(pr.createdAt))
      ? '—'
      : formatAge((now - Date.parse(pr.createdAt)) / 1000),
  }));
  return (
    <Box>
      {value.failures.length > 0 && (
        <Box mb={1}>
          <SectionWarningPanel
            severity="warning"
            title={`Partial list: the pull requests of ${
              value.failures.length
            } repositor${
              value.failures.length === 1 ? 'y' : 'ies'
            } could not be read`}
            message={value.failures
              .map(f => `${f.repository.url}: ${f.message}`)
              .join('\n')}
          />
        </Box>
      )}
      {rows.length === 0 ? (
        <Typography variant="body2">
          No open access-change pull requests
          {value.failures.length > 0 ? ' in the repositories read' : ''}
        </Typography>
      ) : (
        <Table<Row>
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
      )}
      {value.truncated && (
        <Typography variant="caption" color="textSecondary">
          A repository has more open pull requests than were read; older ones
          may be missing.
        </Typography>
      )}
    </Box>
  );
};

/**
 * The overview's open access-change pull requests across the catalog (`GET /pull-requests`):
 * title and link, the components they change, who asked, and how long they have waited, oldest
 * first; a flagged partial list when a repository could not be read, and one line when no
 * repository is configured.
 */
export const PendingAccessChanges = () => {
  const api = useApi(meshSecurityApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    async () => api.getPullRequests(),
    [api],
  );
  if (!loading && value?.status === 'not-configured') {
    return (
      <Box component="section" aria-label={TITLE}>
        <Typography variant="body2" color="textSecondary">
          {TITLE}: none listed, no GitOps repository is configured (
          {value.message}).
        </Typography>
      </Box>
    );
  }
  let content;
  if (loading) content = <Progress />;
  else if (error) content = <ErrorWithRetry error={error} onRetry={retry} />;
  else if (value) content = <Listing value={value} />;
  return (
    <InfoCard
      title={TITLE}
      subheader="Open access-change pull requests about the components you can see"
    >
      <Box component="section" aria-label={TITLE}>
        {content}
      </Box>
    </InfoCard>
  );
};
