import { Table, TableColumn } from '@backstage/core-components';
import { Box, Typography } from '@material-ui/core';
import {
  EntityWorkload,
  EntityWorkloadSummary,
  PortTraffic,
  TrafficObservationState,
  OBSERVED_PORT_LIMIT,
  formatTrafficWindow,
  observedSourceLabel,
  otherPortsLabel,
} from '@mesh-security/plugin-mesh-security-common';
import { formatAge } from '../../format';
import { formatDay } from '../PostureHistory/postureHistory';
import { MtlsBadge } from '../MtlsBadge';
import { formatCounts, formatShare } from './edgeTraffic';
import { WithScrollHint } from '../ScrollHint';

/** One sentence on where the observations stand: recorded, stale, unavailable, not configured. */
export function observationStatusText(o: TrafficObservationState): string {
  const age = o.ageSeconds === null ? '' : ` ${formatAge(o.ageSeconds)} ago`;
  let source =
    o.source === 'recorded' ? 'recorded data' : 'the mesh metrics (Prometheus)';
  // Recorded data's windows end when it was recorded, not when it was read.
  if (o.source === 'recorded' && o.recordedAt) {
    source += ` (windows ending ${formatDay(
      o.recordedAt,
    )}, ${o.recordedAt.slice(11, 16)} UTC)`;
  }
  switch (o.status) {
    case 'ok':
      return `Observed traffic from ${source}, read${age}.`;
    case 'stale':
      return `Observed traffic is stale: last read${age || ' never'}${
        o.message ? ` (${o.message})` : ''
      }.`;
    case 'unavailable':
      return `Observed traffic is unavailable${
        o.message ? `: ${o.message}` : ''
      }. Nothing is shown rather than guessed.`;
    default:
      return 'Observed traffic is not configured for this cluster: give the backend a Prometheus source for it (see docs/traffic.md) to compare what crosses the wire with what the policies claim.';
  }
}

/**
 * How long ago traffic was last seen, as of the response ("12 min ago"): the time between the
 * read and `lastSeen`, plus the read's age. Recorded data counts from when it was recorded
 * ("when recorded", "2 h before recording"): its windows end then. The exact time when the
 * observations carry no read time; a dash when it is not known (docs/traffic.md "When traffic
 * was last seen").
 */
export function lastSeenText(
  lastSeen: string | undefined,
  observations: TrafficObservationState,
): string {
  if (!lastSeen) return '—';
  const seen = Date.parse(lastSeen);
  const recorded =
    observations.source === 'recorded' && observations.recordedAt
      ? Date.parse(observations.recordedAt)
      : NaN;
  if (!Number.isNaN(seen) && !Number.isNaN(recorded)) {
    const before = (recorded - seen) / 1000;
    return before < 60
      ? 'when recorded'
      : `${formatAge(before)} before recording`;
  }
  const read = observations.fetchedAt
    ? Date.parse(observations.fetchedAt)
    : NaN;
  if (
    Number.isNaN(seen) ||
    Number.isNaN(read) ||
    observations.ageSeconds === null ||
    observations.ageSeconds === undefined
  ) {
    return lastSeen;
  }
  return `${formatAge((read - seen) / 1000 + observations.ageSeconds)} ago`;
}

/** The observation status line of a workload (the card and the tab show it). */
export const ObservationStatus = ({
  observations,
}: {
  observations: TrafficObservationState;
}) => (
  <Typography
    variant="body2"
    color={observations.status === 'ok' ? 'textPrimary' : 'textSecondary'}
    aria-label="Observation status"
    data-status={observations.status}
  >
    {observationStatusText(observations)}
    {observations.truncated &&
      ' The metrics answered more series than the cap: some flows are missing.'}
  </Typography>
);

const columns = (
  evidence: string,
  recent: string,
  observations: TrafficObservationState,
): TableColumn<PortTraffic & { id: string }>[] => [
  {
    title: 'Port',
    render: p => {
      if (p.otherPorts) return otherPortsLabel(p.otherPorts);
      return p.port === undefined ? 'all ports' : String(p.port);
    },
  },
  {
    title: 'Policy',
    render: p => <MtlsBadge mode={p.mtls} />,
  },
  {
    title: `mTLS share (${recent} / ${evidence})`,
    render: p =>
      `${formatShare(p.mtlsShare.recent)} / ${formatShare(
        p.mtlsShare.evidence,
      )}`,
  },
  { title: `Last ${recent}`, render: p => formatCounts(p.recent) },
  { title: `Last ${evidence}`, render: p => formatCounts(p.evidence) },
  {
    title: 'Plaintext sources',
    render: p =>
      p.plaintextSources.length === 0
        ? 'none'
        : `${p.plaintextSources.map(observedSourceLabel).join(', ')}${
            p.plaintextSourceCount > p.plaintextSources.length
              ? `, +${p.plaintextSourceCount - p.plaintextSources.length} more`
              : ''
          }`,
  },
  {
    title: 'Last seen',
    render: p => (
      <span title={p.lastSeen}>{lastSeenText(p.lastSeen, observations)}</span>
    ),
  },
];

/**
 * What the mesh's metrics observed for a workload, per port, held against the mode the policies
 * give it; or, when there is nothing to show, why.
 */
export const ObservedTraffic = ({ workload }: { workload: EntityWorkload }) => {
  const { observations, workload: traffic } = workload.observed;
  const evidence = formatTrafficWindow(observations.windows.evidenceSeconds);
  const recent = formatTrafficWindow(observations.windows.recentSeconds);
  return (
    <Box component="section" aria-label="Observed traffic">
      <ObservationStatus observations={observations} />
      {traffic && !traffic.observable && (
        <Typography variant="body2" color="textSecondary">
          Not observable: {traffic.reason}
        </Typography>
      )}
      {traffic && traffic.observable && !traffic.portsTold && (
        <Typography variant="body2" color="textSecondary">
          The metrics of this mesh do not tell ports apart: one line stands for
          every port.
        </Typography>
      )}
      {traffic && traffic.observable && traffic.ports.length > 0 && (
        <WithScrollHint>
          <Table<PortTraffic & { id: string }>
            title="Observed traffic per port"
            columns={columns(evidence, recent, observations)}
            data={traffic.ports.map(p => ({
              ...p,
              id: p.otherPorts ? `other-${p.mtls}` : String(p.port ?? 'all'),
            }))}
            options={{ paging: false, search: false, padding: 'dense' }}
          />
        </WithScrollHint>
      )}
      {traffic?.ports.some(p => p.otherPorts) && (
        <Typography variant="body2" color="textSecondary">
          Traffic was seen on more than {OBSERVED_PORT_LIMIT} ports the workload
          does not declare: the {OBSERVED_PORT_LIMIT} with the most traffic have
          a line each, the others one line per mode.
        </Typography>
      )}
    </Box>
  );
};

/**
 * The card's one-line summary: the observed mTLS share of the evidence window over every
 * workload and port, or the observation status when nothing was observed.
 */
export const ObservedTrafficSummary = ({
  workloads,
}: {
  workloads: EntityWorkloadSummary[];
}) => {
  if (workloads.length === 0) return null;
  let mtls = 0;
  let plaintext = 0;
  let plaintextPorts = 0;
  const usable = workloads.filter(w => w.observed.workload);
  for (const w of usable)
    for (const p of w.observed.workload!.ports) {
      mtls += p.evidence.mtls;
      plaintext += p.evidence.plaintext;
      if (p.otherPorts) plaintextPorts += p.otherPorts.withPlaintext;
      else if (p.evidence.plaintext > 0) plaintextPorts++;
    }
  const first = (usable[0] ?? workloads[0]).observed.observations;
  return (
    <Box my={1} aria-label="Observed traffic summary">
      <Typography variant="subtitle2" component="h3">
        Observed traffic
      </Typography>
      {usable.length === 0 || mtls + plaintext === 0 ? (
        <ObservationStatus observations={first} />
      ) : (
        <>
          <Typography variant="body2">
            {formatShare(mtls / (mtls + plaintext))} mTLS over the last{' '}
            {formatTrafficWindow(first.windows.evidenceSeconds)} (
            {formatCounts({ mtls, plaintext, denied: 0 })})
            {plaintextPorts > 0 &&
              ` · plaintext on ${plaintextPorts} port${
                plaintextPorts === 1 ? '' : 's'
              }`}
          </Typography>
          {first.status !== 'ok' && <ObservationStatus observations={first} />}
        </>
      )}
    </Box>
  );
};
