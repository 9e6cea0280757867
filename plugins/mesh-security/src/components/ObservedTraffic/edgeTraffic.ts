import {
  EDGE_TRAFFIC_STATUSES,
  EdgeTraffic,
  EdgeTrafficStatus,
  ObservedWorkloadTraffic,
  TrafficCounts,
  TrafficObservations,
  formatTrafficWindow,
} from '@mesh-security/plugin-mesh-security-common';

/** How each observed status of an edge reads, with the symbol that marks it in the graph. */
export const EDGE_TRAFFIC_LABELS: Record<
  EdgeTrafficStatus,
  { label: string; symbol: string; description: string }
> = {
  used: {
    label: 'used',
    symbol: '●',
    description: 'allowed, and traffic was seen in the evidence window',
  },
  unused: {
    label: 'unused',
    symbol: '○',
    description:
      'allowed, no traffic in the evidence window (least-privilege candidate)',
  },
  denied: {
    label: 'denied observed',
    symbol: '✕',
    description: 'observed although the policies deny it',
  },
  'outside-grant': {
    label: 'outside any grant',
    symbol: '!',
    description: 'accepted from a source no grant names',
  },
  unknown: {
    label: 'not known',
    symbol: '?',
    description: 'no proxy reports it, or the source cannot be told',
  },
};

/** The statuses in the order the legend lists them (the model's list). */
export const EDGE_TRAFFIC_ORDER = EDGE_TRAFFIC_STATUSES;

/** Which status an edge drawn for several ports shows: the most telling one. */
const PRIORITY: EdgeTrafficStatus[] = [
  'denied',
  'outside-grant',
  'used',
  'unknown',
  'unused',
];

export function combineTrafficStatuses(
  statuses: EdgeTrafficStatus[],
): EdgeTrafficStatus | undefined {
  return PRIORITY.find(s => statuses.includes(s));
}

/** "97 %" of mTLS, or "—" when nothing was accepted. */
export function formatShare(share: number | null): string {
  return share === null ? '—' : `${Math.floor(share * 100)} %`;
}

/** "120 mTLS · 4 plaintext · 7 denied" (zero counts left out; "none" when all are zero). */
export function formatCounts(c: TrafficCounts): string {
  const parts = [
    c.mtls ? `${Math.round(c.mtls)} mTLS` : '',
    c.plaintext ? `${Math.round(c.plaintext)} plaintext` : '',
    c.denied ? `${Math.round(c.denied)} denied` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'none';
}

/**
 * A rate as people say it: "12/s", "2.5/min", "3/h", "0.5/d" (per the largest unit it reaches
 * one of; one decimal below ten), "< 0.1/d" below that.
 */
export function formatRate(count: number, seconds: number): string {
  const round = (n: number) =>
    n >= 10 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
  const perSecond = count / seconds;
  if (perSecond >= 1) return `${round(perSecond)}/s`;
  if (perSecond * 60 >= 1) return `${round(perSecond * 60)}/min`;
  if (perSecond * 3600 >= 1) return `${round(perSecond * 3600)}/h`;
  const perDay = perSecond * 86400;
  return perDay >= 0.1 ? `${round(perDay)}/d` : '< 0.1/d';
}

/**
 * One line for an edge's observed traffic: its status, then the mTLS share and counts of the
 * evidence window and the rate of the recent one, each with its window, e.g. "used · 97 % mTLS
 * · 970 mTLS · 30 plaintext (7 d) · 2.6/min (1 h)". Unused and unknown edges give their status
 * only; " · all ports" ends it when the metrics do not tell ports apart.
 */
export function edgeTrafficText(
  t: EdgeTraffic | undefined,
  windows: TrafficObservations['windows'],
): string {
  if (!t) return '—';
  const parts = [EDGE_TRAFFIC_LABELS[t.status].label];
  if (t.status !== 'unused' && t.status !== 'unknown') {
    if (t.mtlsShare.evidence !== null)
      parts.push(`${formatShare(t.mtlsShare.evidence)} mTLS`);
    parts.push(
      `${formatCounts(t.evidence)} (${formatTrafficWindow(
        windows.evidenceSeconds,
      )})`,
    );
    const recent = t.recent.mtls + t.recent.plaintext + t.recent.denied;
    parts.push(
      `${
        recent > 0 ? formatRate(recent, windows.recentSeconds) : 'none'
      } (${formatTrafficWindow(windows.recentSeconds)})`,
    );
  }
  if (t.portsTold === false) parts.push('all ports');
  return parts.join(' · ');
}

/**
 * What an entity view left out of the traffic no edge covers (it lists, per direction, the
 * groups with the most traffic in the evidence window, `UNMATCHED_TRAFFIC_LIMIT` at most);
 * undefined when it left nothing out.
 */
export function unmatchedOmittedText(
  observed: ObservedWorkloadTraffic,
): string | undefined {
  const part = (shown: number, count: number, what: string) =>
    count > shown ? [`${shown} of the ${count} ${what}`] : [];
  const parts = [
    ...part(
      observed.unmatchedCallers.length,
      observed.unmatchedCallerCount,
      'groups of traffic to this workload',
    ),
    ...part(
      observed.unmatchedCallees.length,
      observed.unmatchedCalleeCount,
      'groups of traffic from it',
    ),
  ];
  if (parts.length === 0) return undefined;
  return `Traffic no edge covers: showing ${parts.join(
    ' and ',
  )}, those with the most traffic in the evidence window.`;
}
