import { Table, TableColumn } from '@backstage/core-components';
import {
  AccessEdge,
  EntityWorkload,
  peerLabel,
} from '@mesh-security/plugin-mesh-security-common';

/** One row: an allowed caller or callee of the workload and what decided it. */
export interface AccessRow {
  id: string;
  direction: 'may call this workload' | 'may be called by this workload';
  peer: string;
  port: number;
  methods: string;
  paths: string;
  layer: string;
  policy: string;
  caveats: string;
}

/**
 * The graph's edges as rows: one per edge, or one per allowed method/path combination when
 * several rules allow different ones (so no row pairs a method with a path no rule pairs).
 */
export function accessRows(workload: EntityWorkload): AccessRow[] {
  const row = (
    edge: AccessEdge,
    direction: AccessRow['direction'],
    id: string,
  ): AccessRow => ({
    id: `${direction}-${id}`,
    direction,
    peer: peerLabel(edge.peer),
    port: edge.port,
    methods: 'any',
    paths: 'any',
    layer: edge.decidedBy.layer,
    policy: edge.decidedBy.policy ?? '(default)',
    caveats: edge.cannotEvaluate?.length
      ? `not evaluated: ${edge.cannotEvaluate.join(', ')}`
      : '',
  });
  const rows = (
    edge: AccessEdge,
    direction: AccessRow['direction'],
    i: number,
  ): AccessRow[] =>
    (edge.operations ?? [edge]).map((operation, j) => ({
      ...row(edge, direction, edge.operations ? `${i}-${j}` : String(i)),
      methods: operation.methods?.join(', ') ?? 'any',
      paths: operation.paths?.join(', ') ?? 'any',
    }));
  return [
    ...workload.callers.flatMap((e, i) => rows(e, 'may call this workload', i)),
    ...workload.callees.flatMap((e, i) =>
      rows(e, 'may be called by this workload', i),
    ),
  ];
}

const columns: TableColumn<AccessRow>[] = [
  { title: 'Peer', field: 'peer', highlight: true },
  { title: 'Direction', field: 'direction' },
  { title: 'Port', field: 'port', type: 'numeric', align: 'left' },
  { title: 'Methods', field: 'methods' },
  { title: 'Paths', field: 'paths' },
  { title: 'Deciding layer', field: 'layer' },
  { title: 'Policy', field: 'policy' },
  { title: 'Caveats', field: 'caveats' },
];

/** Who may call the workload and whom it may call, naming the deciding layer and policy. */
export const AccessTable = ({ workload }: { workload: EntityWorkload }) => (
  <Table<AccessRow>
    title="Allowed access"
    columns={columns}
    data={accessRows(workload)}
    options={{ paging: false, search: false, padding: 'dense' }}
  />
);
