import { Table, TableColumn } from '@backstage/core-components';
import {
  Finding,
  SEVERITIES,
} from '@mesh-security/plugin-mesh-security-common';
import { SeverityChip } from '../FindingCounts';
import { WithScrollHint } from '../ScrollHint';

type FindingRow = Finding & { id: string; objectName: string };

const columns: TableColumn<FindingRow>[] = [
  {
    title: 'Severity',
    field: 'severity',
    render: row => <SeverityChip severity={row.severity} />,
    customSort: (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity),
  },
  { title: 'Code', field: 'code' },
  { title: 'Explanation', field: 'message' },
  { title: 'Fix', field: 'fix' },
  { title: 'Object', field: 'objectName' },
];

/** The entity's findings, worst first: severity, code, explanation, fix and object. */
export const FindingsTable = ({ findings }: { findings: Finding[] }) => {
  const rows: FindingRow[] = findings
    .map((f, i) => ({
      ...f,
      id: `${f.code}-${i}`,
      objectName: `${f.object.kind} ${f.object.namespace}/${f.object.name}${
        f.object.cluster ? ` (${f.object.cluster})` : ''
      }`,
    }))
    .sort(
      (a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity),
    );
  return (
    <WithScrollHint>
      <Table<FindingRow>
        title={`Findings (${findings.length})`}
        columns={columns}
        data={rows}
        options={{
          paging: rows.length > 10,
          pageSize: 10,
          search: false,
          padding: 'dense',
        }}
        emptyContent={
          <div style={{ padding: 16 }}>No findings. Nothing to fix.</div>
        }
      />
    </WithScrollHint>
  );
};
