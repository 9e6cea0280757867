import { escapeControlCharacters } from '@mesh-security/plugin-mesh-security-common';

/**
 * Renders rows as an aligned plain-text table (no colours: CI logs). Every cell is escaped
 * (names come from manifests), so a cell holds one line and no terminal control sequence.
 */
export function renderTable(headers: string[], fields: string[][]): string {
  const rows = fields.map(row => row.map(escapeControlCharacters));
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [
    line(headers),
    line(widths.map(w => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}
