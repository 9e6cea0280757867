import {
  Link,
  MarkdownContent,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import { Box, Typography } from '@material-ui/core';
import {
  Finding,
  FINDING_SCOPES,
  findingDefinition,
  findingScope,
  FindingScope,
  ObjectRef,
  SEVERITIES,
} from '@mesh-security/plugin-mesh-security-common';
import { SeverityChip } from '../FindingCounts';
import { WithScrollHint } from '../ScrollHint';
import { anywhereIfNeeded } from '../textWrap';

type FindingRow = Finding & { id: string; objectName: string };

/** Who can act on each scope's findings, as the tables say it. */
const SCOPE_TITLES: Record<FindingScope, { title: string; subtitle: string }> =
  {
    workload: {
      title: 'Findings about this component',
      subtitle: 'Its workloads and the policies that apply to them.',
    },
    namespace: {
      title: 'Findings about its namespaces',
      subtitle:
        'The namespaces themselves, and objects there that apply to no workload.',
    },
    cluster: {
      title: 'Cluster-wide findings',
      subtitle:
        "For the platform team: the cluster's network plugin and this component's meshes' trust roots.",
    },
  };

/** The finding code, linking to its documentation when configured, with its title. */
const Code = ({ code, docsUrl }: { code: string; docsUrl?: string }) => {
  const definition = findingDefinition(code);
  return (
    <Box>
      {docsUrl ? (
        <Link to={`${docsUrl}#${code.toLowerCase()}`}>{code}</Link>
      ) : (
        <Typography variant="body2" component="span">
          {code}
        </Typography>
      )}
      {definition && (
        <Typography
          variant="caption"
          color="textSecondary"
          component="div"
          title={definition.description}
        >
          {definition.title}
        </Typography>
      )}
    </Box>
  );
};

function columns(docsUrl?: string): TableColumn<FindingRow>[] {
  return [
    {
      title: 'Severity',
      field: 'severity',
      render: row => <SeverityChip severity={row.severity} />,
      customSort: (a, b) =>
        SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity),
    },
    {
      title: 'Code',
      field: 'code',
      render: row => <Code code={row.code} docsUrl={docsUrl} />,
    },
    { title: 'Explanation', field: 'message', cellStyle: anywhereIfNeeded },
    {
      title: 'Fix',
      field: 'fix',
      cellStyle: anywhereIfNeeded,
      render: row => <MarkdownContent content={row.fix} />,
    },
    { title: 'Object', field: 'objectName', cellStyle: anywhereIfNeeded },
  ];
}

function rowsOf(findings: Finding[]): FindingRow[] {
  return findings
    .map((f, i) => ({
      ...f,
      id: `${f.code}-${i}`,
      objectName: `${f.object.kind} ${
        f.object.namespace ? `${f.object.namespace}/` : ''
      }${f.object.name}${f.object.cluster ? ` (${f.object.cluster})` : ''}`,
    }))
    .sort(
      (a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity),
    );
}

/**
 * The entity's findings, worst first, grouped by who can act on them (`findingScope`): its
 * own, its namespaces', the cluster's. Fixes render as Markdown; codes link to
 * `meshSecurity.findingsDocumentationUrl` when configured.
 */
export const FindingsTable = ({
  findings,
  applied = [],
}: {
  findings: Finding[];
  /** The policies applying to the entity's workloads (their findings are the entity's own). */
  applied?: Array<Pick<ObjectRef, 'kind' | 'namespace' | 'name'>>;
}) => {
  const docsUrl = useApi(configApiRef)
    .getOptionalString('meshSecurity.findingsDocumentationUrl')
    ?.replace(/#.*$/, '');
  if (findings.length === 0)
    return (
      <Table<FindingRow>
        title="Findings (0)"
        columns={columns(docsUrl)}
        data={[]}
        options={{ paging: false, search: false, padding: 'dense' }}
        emptyContent={
          <div style={{ padding: 16 }}>No findings. Nothing to fix.</div>
        }
      />
    );
  const byScope = new Map<FindingScope, Finding[]>();
  for (const f of findings) {
    const scope = findingScope(f, applied);
    byScope.set(scope, [...(byScope.get(scope) ?? []), f]);
  }
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
      {FINDING_SCOPES.filter(scope => byScope.has(scope)).map(scope => {
        const rows = rowsOf(byScope.get(scope)!);
        return (
          <Box
            key={scope}
            component="section"
            aria-label={`Findings: ${scope}`}
          >
            <WithScrollHint>
              <Table<FindingRow>
                title={`${SCOPE_TITLES[scope].title} (${rows.length})`}
                subtitle={SCOPE_TITLES[scope].subtitle}
                columns={columns(docsUrl)}
                data={rows}
                options={{
                  paging: rows.length > 10,
                  pageSize: 10,
                  search: false,
                  padding: 'dense',
                }}
              />
            </WithScrollHint>
          </Box>
        );
      })}
    </Box>
  );
};
