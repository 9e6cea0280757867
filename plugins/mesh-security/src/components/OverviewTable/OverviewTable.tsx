import { parseEntityRef } from '@backstage/catalog-model';
import { Table, TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  OVERVIEW_SORT_KEYS,
  OverviewItem,
  OverviewQuery,
  OverviewResponse,
} from '@mesh-security/plugin-mesh-security-common';
import { MutableRefObject } from 'react';
import { MESH_LABELS } from '../../format';
import { FindingCounts } from '../FindingCounts';
import { MtlsBadge } from '../MtlsBadge';
import { ScorecardSummary } from '../ScorecardPillars';
import { WithScrollHint } from '../ScrollHint';

type Row = OverviewItem & { id: string };
type SortKey = NonNullable<OverviewQuery['sort']>;

/** The table's handle for refetching when filters outside it change. */
export type OverviewTableRef = MutableRefObject<
  { onQueryChange: (query?: { page: number }) => void } | undefined
>;

const columns: Array<TableColumn<Row> & { field?: SortKey | string }> = [
  {
    title: 'Component',
    field: 'name',
    highlight: true,
    render: row => (
      <EntityRefLink entityRef={row.entityRef} title={row.title ?? row.name} />
    ),
  },
  {
    title: 'Owner',
    field: 'owner',
    render: row =>
      row.owner ? (
        <EntityRefLink
          entityRef={parseEntityRef(row.owner, {
            defaultKind: 'group',
            defaultNamespace: 'default',
          })}
        />
      ) : (
        '—'
      ),
  },
  { title: 'System', field: 'system', emptyValue: '—' },
  {
    title: 'Mesh',
    field: 'meshes',
    sorting: false,
    render: row => row.meshes.map(m => MESH_LABELS[m]).join(', ') || '—',
  },
  {
    title: 'mTLS',
    field: 'mtls',
    render: row => <MtlsBadge mode={row.mtls} />,
  },
  {
    title: 'Scorecard',
    field: 'scorecard',
    sorting: false,
    render: row => <ScorecardSummary scorecard={row.scorecard} />,
  },
  {
    title: 'Findings',
    field: 'findings',
    render: row => <FindingCounts counts={row.findingCounts} compact />,
  },
];

/**
 * Every annotated component, paginated, sorted and searched by the backend (remote data).
 * `fetchPage` gets the table's page, sort and search; the page adds the filters.
 */
export const OverviewTable = ({
  fetchPage,
  tableRef,
}: {
  fetchPage: (
    query: Pick<
      OverviewQuery,
      'search' | 'sort' | 'order' | 'offset' | 'limit'
    >,
  ) => Promise<OverviewResponse>;
  tableRef: OverviewTableRef;
}) => (
  <WithScrollHint>
    <Table<Row>
      title="Components"
      tableRef={tableRef}
      columns={columns}
      options={{
        pageSize: 20,
        pageSizeOptions: [10, 20, 50],
        search: true,
        debounceInterval: 300,
        padding: 'dense',
      }}
      data={async query => {
        const field = query.orderBy?.field as SortKey | undefined;
        const response = await fetchPage({
          search: query.search || undefined,
          sort: field && OVERVIEW_SORT_KEYS.includes(field) ? field : undefined,
          order: field ? query.orderDirection || 'asc' : undefined,
          offset: query.page * query.pageSize,
          limit: query.pageSize,
        });
        return {
          data: response.items.map(item => ({ ...item, id: item.entityRef })),
          page: Math.floor(response.offset / Math.max(1, response.limit)),
          totalCount: response.totalItems,
        };
      }}
    />
  </WithScrollHint>
);
