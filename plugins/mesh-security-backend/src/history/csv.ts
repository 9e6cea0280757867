import {
  ENTITY_HISTORY_CSV_COLUMNS,
  EntityPostureHistory,
  OVERVIEW_HISTORY_CSV_COLUMNS,
  OverviewHistory,
} from '@mesh-security/plugin-mesh-security-common';

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break. A text starting
 * with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`, so a spreadsheet
 * opening the report never runs it as a formula (CSV injection); numbers are written as they are.
 */
export function csvCell(value: string | number): string {
  if (typeof value === 'number') return String(value);
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csv(
  header: readonly string[],
  rows: Array<Array<string | number>>,
): string {
  return [header, ...rows]
    .map(row => `${row.map(csvCell).join(',')}\r\n`)
    .join('');
}

/** The catalog-wide history as CSV: the header, then one row per day (oldest first). */
export function overviewHistoryCsv(history: OverviewHistory): string {
  return csv(
    OVERVIEW_HISTORY_CSV_COLUMNS,
    history.days.map(d => [
      d.day,
      d.components,
      d.strictComponents,
      d.strictPorts,
      d.totalPorts,
      d.totalPorts > 0 ? (d.strictPorts / d.totalPorts).toFixed(4) : '',
      d.findingCounts.critical,
      d.findingCounts.high,
      d.findingCounts.medium,
      d.findingCounts.low,
      d.findingCounts.info,
      d.demoComponents ?? 0,
    ]),
  );
}

/** A component's history as CSV: the header, then one row per recorded day (oldest first). */
export function entityHistoryCsv(history: EntityPostureHistory): string {
  return csv(
    ENTITY_HISTORY_CSV_COLUMNS,
    history.days.map(d => [
      d.day,
      history.entityRef,
      d.mtls,
      d.strictPorts,
      d.totalPorts,
      d.findingCounts.critical,
      d.findingCounts.high,
      d.findingCounts.medium,
      d.findingCounts.low,
      d.findingCounts.info,
      d.pillars.verifyExplicitly,
      d.pillars.leastPrivilege,
      d.pillars.assumeBreach,
      d.pillars.noCredentialLeakage,
      d.demo ? 'demo-seed' : 'recorded',
    ]),
  );
}
