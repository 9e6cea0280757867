import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  List,
  ListItem,
  ListItemIcon,
  ListItemText,
  Typography,
} from '@material-ui/core';
import CheckCircleOutline from '@material-ui/icons/CheckCircleOutline';
import ErrorOutline from '@material-ui/icons/ErrorOutline';
import HelpOutline from '@material-ui/icons/HelpOutline';
import useAsync from 'react-use/esm/useAsync';
import { techInsightsClientApiRef } from './api';

/** The example checks of app-config.yaml (docs/tech-insights.md). */
export const MESH_SECURITY_CHECKS = [
  'meshSecurityStrictEverywhere',
  'meshSecurityNoHighFindings',
  'meshSecurityLeastPrivilege',
];

/**
 * A check's description is read whole: it wraps between words instead of being one line clipped
 * at the card's edge (Backstage's theme gives a list item's secondary text `white-space: nowrap`
 * and `overflow: hidden`; "… accepts only mutual TLS (and the da" at 1280 px).
 */
const wrappingDescription = {
  style: {
    whiteSpace: 'normal',
    wordBreak: 'normal',
    overflowWrap: 'break-word',
  },
} as const;

function Verdict({ result }: { result: unknown }) {
  if (result === true) {
    return <CheckCircleOutline style={{ color: '#2e7d32' }} />;
  }
  if (result === false) {
    return <ErrorOutline style={{ color: '#c62828' }} />;
  }
  return <HelpOutline />;
}

function verdictText(result: unknown): string {
  if (result === true) return 'passed';
  if (result === false) return 'failed';
  return 'no result';
}

/**
 * A Tech Insights scorecard of the Mesh Security checks for the current entity: runs them
 * through the Tech Insights backend (`POST /checks/run/…`) as the community scorecard does, and
 * lists each with its verdict in words and as an icon.
 */
export function MeshSecurityScorecard(props: { checks?: string[] }) {
  const { checks = MESH_SECURITY_CHECKS } = props;
  const { entity } = useEntity();
  const api = useApi(techInsightsClientApiRef);
  const { value, loading, error } = useAsync(async () => {
    const results = await api.runChecks(getCompoundEntityRef(entity), checks);
    // In the order asked for, whatever order the backend answers in.
    const rank = (id: string) =>
      checks.indexOf(id) === -1 ? checks.length : checks.indexOf(id);
    return [...results].sort((a, b) => rank(a.check.id) - rank(b.check.id));
  }, [api, entity, checks.join(',')]);
  return (
    <InfoCard
      title="Mesh security scorecard"
      subheader="Tech Insights checks on the facts Mesh Security reports"
    >
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {!loading && !error && value?.length === 0 && (
        <Typography>
          No Tech Insights results for this component yet: its Mesh Security
          facts are retrieved on the schedule of
          techInsights.factRetrievers.meshSecurityFactRetriever.
        </Typography>
      )}
      {!loading && !error && !!value?.length && (
        <List dense aria-label="Mesh security checks">
          {value.map(({ check, result }) => (
            <ListItem key={check.id}>
              <ListItemIcon>
                <Verdict result={result} />
              </ListItemIcon>
              <ListItemText
                primary={`${check.name}: ${verdictText(result)}`}
                secondary={check.description}
                secondaryTypographyProps={wrappingDescription}
              />
            </ListItem>
          ))}
        </List>
      )}
    </InfoCard>
  );
}
