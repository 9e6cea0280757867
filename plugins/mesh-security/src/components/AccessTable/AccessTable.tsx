import { Table, TableColumn } from '@backstage/core-components';
import {
  AccessEdge,
  EdgeTrafficStatus,
  EntityWorkload,
  ObservedAccessEdge,
  TrafficObservations,
  UnmatchedTraffic,
  edgeProtection,
  observedSourceLabel,
  peerLabel,
} from '@mesh-security/plugin-mesh-security-common';
import { Typography } from '@material-ui/core';
import { Fragment, ReactNode } from 'react';
import { edgeTrafficText, unmatchedOmittedText } from '../ObservedTraffic';
import { WithScrollHint } from '../ScrollHint';
import { PROTECTION_TEXT } from '../AccessGraph/accessGraphLayout';
import { blockedReason } from '../AccessGraph/accessGraphModel';
import { betweenWords } from '../textWrap';

/** One row: a caller or callee of the workload (allowed or blocked) and what decided it. */
export interface AccessRow {
  id: string;
  direction:
    | 'calls this workload'
    | 'is called by this workload'
    | 'is blocked from calling this workload'
    | 'called this workload, no edge allows it'
    | 'was called by this workload, no edge allows it';
  peer: string;
  port: number;
  /** The receiving port's protocol (`http`, `UDP`, `opaque`, …); "—" when not given. */
  protocol: string;
  /**
   * What the client sends and the receiving port's mode, e.g. "mTLS (port STRICT)",
   * "plaintext (port PERMISSIVE)", "blocked: plaintext (port STRICT)".
   */
  mtls: string;
  methods: string;
  paths: string;
  layer: string;
  policy: string;
  caveats: string;
  /** What the metrics observed along the edge ("—" when the observations are not usable). */
  observed: string;
  /** The observed status, when there is one (for styling and filters). */
  traffic?: EdgeTrafficStatus;
}

/**
 * The graph's edges as rows: one per edge, or one per allowed method/path combination when
 * several rules allow different ones (so no row pairs a method with a path no rule pairs).
 */
export function accessRows(workload: EntityWorkload): AccessRow[] {
  const windows = workload.observed.observations.windows;
  const row = (
    edge: ObservedAccessEdge,
    direction: AccessRow['direction'],
    id: string,
  ): AccessRow => ({
    id: `${direction}-${id}`,
    direction,
    peer: peerLabel(edge.peer),
    port: edge.port,
    protocol: edge.protocol ?? '—',
    mtls: connectionText(edge),
    methods: 'any',
    paths: 'any',
    layer: edge.decidedBy.layer,
    policy: edge.decidedBy.policy ?? '(default)',
    caveats: [
      blockedReason(edge),
      edge.cannotEvaluate?.length
        ? `not evaluated: ${edge.cannotEvaluate.join(', ')}`
        : undefined,
    ]
      .filter(Boolean)
      .join('; '),
    observed: edgeTrafficText(edge.traffic, windows),
    ...(edge.traffic ? { traffic: edge.traffic.status } : {}),
  });
  const rows = (
    edge: ObservedAccessEdge,
    direction: AccessRow['direction'],
    i: number,
  ): AccessRow[] =>
    (edge.operations ?? [edge]).map((operation, j) => ({
      ...row(edge, direction, edge.operations ? `${i}-${j}` : String(i)),
      methods: operation.methods?.join(', ') ?? 'any',
      paths: operation.paths?.join(', ') ?? 'any',
    }));
  return [
    ...workload.callers.flatMap((e, i) => rows(e, 'calls this workload', i)),
    ...(workload.blockedCallers ?? []).flatMap((e, i) =>
      rows(e, 'is blocked from calling this workload', i),
    ),
    ...workload.callees.flatMap((e, i) =>
      rows(e, 'is called by this workload', i),
    ),
    ...workload.observed.unmatchedCallers.map((u, i) =>
      unmatchedRow(u, 'called this workload, no edge allows it', i, windows),
    ),
    ...workload.observed.unmatchedCallees.map((u, i) =>
      unmatchedRow(
        u,
        'was called by this workload, no edge allows it',
        i,
        windows,
      ),
    ),
  ];
}

/**
 * The effective protection of an edge in words, with the receiving port's mode: what the
 * client sends is what protects the connection (a plaintext client into a PERMISSIVE port is
 * plaintext), the mode is what the port would accept.
 */
export function connectionText(edge: AccessEdge): string {
  const protection = edgeProtection(edge);
  const port = `(port ${edge.portMtls})`;
  if (protection === 'blocked') {
    const sends = edge.connection
      ? PROTECTION_TEXT[edge.connection].short
      : PROTECTION_TEXT.unknown.short;
    return `blocked: ${sends} ${port}`;
  }
  return `${PROTECTION_TEXT[protection].short} ${port}`;
}

/** Traffic no edge covers: the sources (callers) or the callee, as observed. */
function unmatchedRow(
  u: UnmatchedTraffic,
  direction: AccessRow['direction'],
  i: number,
  windows: TrafficObservations['windows'],
): AccessRow {
  const sources = u.sources.map(observedSourceLabel);
  const more =
    u.sourceCount > sources.length
      ? [`+${u.sourceCount - sources.length} more`]
      : [];
  return {
    id: `${direction}-${i}`,
    direction,
    peer: u.peer ? peerLabel(u.peer) : [...sources, ...more].join(', '),
    port: u.port ?? 0,
    protocol: '—',
    mtls: '—',
    methods: '—',
    paths: '—',
    layer: '—',
    policy: '(no edge)',
    caveats: u.reason ?? '',
    observed: edgeTrafficText(u, windows),
    traffic: u.status,
  };
}

/** A column of names, wide enough for a `namespace/name` (Backstage's cells cut them mid-word). */
const NAMES = { ...betweenWords, minWidth: 180 } as const;

/**
 * A peer's name with a break opportunity after each dot: a mesh identity
 * (`prometheus.linkerd-viz.serviceaccount.identity.linkerd.cluster.local`) wraps at its dots
 * instead of widening the Peer column until the table no longer fits.
 */
export function breakAfterDots(text: string): ReactNode {
  const parts = text.split('.');
  if (parts.length === 1) return text;
  return parts.map((part, i) => (
    <Fragment key={i}>
      {part}
      {i < parts.length - 1 && (
        <>
          .<wbr />
        </>
      )}
    </Fragment>
  ));
}

/** The requests a row allows: "POST /charge", "any", "GET any path"; "—" for unmatched traffic. */
export function requestsText(
  row: Pick<AccessRow, 'methods' | 'paths'>,
): string {
  if (row.methods === '—') return '—';
  if (row.methods === 'any' && row.paths === 'any') return 'any';
  const methods = row.methods === 'any' ? 'any method' : row.methods;
  const paths = row.paths === 'any' ? 'any path' : row.paths;
  return `${methods} ${paths}`;
}

/**
 * Six columns, so that the table fits beside the workload's other cards at 1280 px: the direction
 * under the peer, the port with its protocol, methods and paths together, and the deciding
 * layer above its policy with the caveats under it (why blocked, what was not evaluated, why
 * traffic no edge covers has its status).
 */
const columns: TableColumn<AccessRow>[] = [
  {
    title: 'Peer',
    field: 'peer',
    highlight: true,
    // A copy: Backstage's Table writes the bold of a highlighted column into its style object.
    cellStyle: { ...NAMES },
    render: row => (
      <>
        {breakAfterDots(row.peer)}
        <Typography
          variant="caption"
          component="span"
          display="block"
          color="textSecondary"
        >
          {row.direction}
        </Typography>
      </>
    ),
  },
  {
    title: 'Port',
    field: 'port',
    type: 'numeric',
    align: 'left',
    cellStyle: { whiteSpace: 'nowrap' },
    render: row =>
      `${row.port === 0 ? 'all' : row.port}${
        row.protocol === '—' ? '' : `/${row.protocol}`
      }`,
  },
  { title: 'mTLS', field: 'mtls', cellStyle: betweenWords },
  {
    title: 'Requests',
    field: 'methods',
    cellStyle: betweenWords,
    render: requestsText,
  },
  {
    title: 'Decided by',
    field: 'policy',
    cellStyle: NAMES,
    render: row => (
      <>
        {row.layer === 'default' && row.policy === '(default)' ? (
          'default: no policy applies'
        ) : (
          <>
            {row.layer !== '—' && (
              <Typography variant="caption" component="span" display="block">
                {row.layer}
              </Typography>
            )}
            {row.policy}
          </>
        )}
        {row.caveats && (
          <Typography
            variant="caption"
            component="span"
            display="block"
            color="textSecondary"
          >
            {row.caveats}
          </Typography>
        )}
      </>
    ),
  },
  { title: 'Observed', field: 'observed', cellStyle: betweenWords },
];

/**
 * Who may call the workload, who is meant to but is blocked, and whom it may call, naming what
 * protects each connection and the deciding layer and policy.
 */
export const AccessTable = ({ workload }: { workload: EntityWorkload }) => {
  const omitted = unmatchedOmittedText(workload.observed);
  return (
    <>
      <WithScrollHint>
        <Table<AccessRow>
          title="Access: allowed and blocked"
          columns={columns}
          data={accessRows(workload)}
          options={{ paging: false, search: false, padding: 'dense' }}
        />
      </WithScrollHint>
      {omitted && (
        <Typography variant="caption" color="textSecondary" component="p">
          {omitted}
        </Typography>
      )}
    </>
  );
};
