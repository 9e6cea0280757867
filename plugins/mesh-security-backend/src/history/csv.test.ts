import { csvCell, overviewHistoryCsv } from './csv';

describe('history CSV', () => {
  it('never lets a spreadsheet run a cell as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(
      `"'=HYPERLINK(""http://x"",""y"")"`,
    );
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\r=x')).toBe(`"'\r=x"`);
    // Numbers stay numbers, plain text stays plain.
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell('group:default/team-a')).toBe('group:default/team-a');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
  });

  it('writes a header and one CRLF-terminated row per day, share empty without ports', () => {
    const findingCounts = { critical: 1, high: 2, medium: 3, low: 4, info: 5 };
    expect(
      overviewHistoryCsv({
        enabled: true,
        retentionDays: 400,
        days: [
          {
            day: '2026-12-01',
            components: 2,
            strictComponents: 1,
            strictPorts: 1,
            totalPorts: 3,
            findingCounts,
            demoComponents: 2,
          },
          {
            day: '2026-12-02',
            components: 1,
            strictComponents: 0,
            strictPorts: 0,
            totalPorts: 0,
            findingCounts,
          },
        ],
      }),
    ).toBe(
      'day,components,strict_components,strict_ports,total_ports,strict_port_share,critical,high,medium,low,info,demo_components\r\n' +
        '2026-12-01,2,1,1,3,0.3333,1,2,3,4,5,2\r\n' +
        '2026-12-02,1,0,0,0,,1,2,3,4,5,0\r\n',
    );
  });
});
