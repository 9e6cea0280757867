import {
  EntityPostureHistory,
  OverviewHistoryDay,
} from '@mesh-security/plugin-mesh-security-common';

const DAY_MS = 86_400_000;

/** "3 Nov 2026": a date as people read it (UTC, the day history is recorded in). */
export function formatDay(isoOrDay: string): string {
  return new Date(
    isoOrDay.length === 10 ? `${isoOrDay}T00:00:00Z` : isoOrDay,
  ).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** Whole days between two ISO timestamps (at least 0). */
function daysBetween(from: string, to: string): number {
  return Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / DAY_MS));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * One sentence on a component's mode over time, e.g. "STRICT since 3 Nov 2026; was PERMISSIVE
 * for 41 days." — or why there is nothing to say yet.
 */
export function timelineSentence(history: EntityPostureHistory): string {
  if (!history.enabled) {
    return 'Posture history is turned off in this Backstage (meshSecurity.history.enabled).';
  }
  const { changes } = history;
  if (changes.length === 0) {
    return 'No history recorded yet: the posture is recorded once every cluster has been read completely.';
  }
  const current = changes[changes.length - 1];
  const since = `${current.to} since ${formatDay(current.at)}`;
  if (changes.length === 1) return `${since} (first recorded).`;
  const previous = changes[changes.length - 2];
  return `${since}; was ${previous.to} for ${plural(
    daysBetween(previous.at, current.at),
    'day',
  )}.`;
}

/** STRICT ports as a share of ports, 0–1; null without ports. */
export function strictShare(day: {
  strictPorts: number;
  totalPorts: number;
}): number | null {
  return day.totalPorts > 0 ? day.strictPorts / day.totalPorts : null;
}

function percent(share: number | null): string {
  return share === null ? 'no ports' : `${Math.round(share * 100)} %`;
}

/** Critical and high findings of a day. */
export function severeFindings(day: OverviewHistoryDay): number {
  return day.findingCounts.critical + day.findingCounts.high;
}

/**
 * The catalog trend in words (the chart's text alternative), e.g. "40 % of ports STRICT on 1 Nov
 * 2026, 55 % on 2 Dec 2026; critical and high findings 12, then 7."
 */
export function trendSentence(days: OverviewHistoryDay[]): string {
  if (days.length === 0) return 'No history recorded yet.';
  const first = days[0];
  const last = days[days.length - 1];
  const strict = (d: OverviewHistoryDay) => {
    const share = strictShare(d);
    return share === null ? 'no ports' : `${percent(share)} of ports STRICT`;
  };
  if (days.length === 1) {
    return `${strict(last)} on ${formatDay(last.day)}; ${severeFindings(
      last,
    )} critical and high findings (one day recorded).`;
  }
  return `${strict(first)} on ${formatDay(first.day)}, ${percent(
    strictShare(last),
  )} on ${formatDay(last.day)}; critical and high findings ${severeFindings(
    first,
  )}, then ${severeFindings(last)}.`;
}

/**
 * Points of a polyline for values 0–1 (null values are gaps: they split the line), in a box of
 * `width` × `height`, one x step per day.
 */
export function linePoints(
  values: Array<number | null>,
  width: number,
  height: number,
): string[] {
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const lines: string[] = [];
  let current: string[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (current.length) lines.push(current.join(' '));
      current = [];
      return;
    }
    const x = values.length > 1 ? i * step : width / 2;
    const y = height - Math.max(0, Math.min(1, v)) * height;
    current.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  });
  if (current.length) lines.push(current.join(' '));
  return lines;
}
