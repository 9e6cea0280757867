import {
  EntityPostureHistory,
  OverviewHistoryDay,
} from '@mesh-security/plugin-mesh-security-common';
import {
  formatDay,
  linePoints,
  timelineSentence,
  trendSentence,
} from './postureHistory';

const history = (
  changes: EntityPostureHistory['changes'],
  enabled = true,
): EntityPostureHistory => ({
  entityRef: 'component:default/payments-api',
  enabled,
  retentionDays: 400,
  days: [],
  changes,
});

const day = (
  date: string,
  strictPorts: number,
  totalPorts: number,
  high: number,
): OverviewHistoryDay => ({
  day: date,
  components: 3,
  strictComponents: 1,
  strictPorts,
  totalPorts,
  findingCounts: { critical: 1, high, medium: 0, low: 0, info: 0 },
});

describe('posture history in words', () => {
  it('says since when the current mode holds and how long the previous one did', () => {
    expect(
      timelineSentence(
        history([
          { at: '2026-09-23T10:00:00.000Z', to: 'DISABLED' },
          {
            at: '2026-09-23T11:00:00.000Z',
            from: 'DISABLED',
            to: 'PERMISSIVE',
          },
          {
            at: '2026-11-03T09:30:00.000Z',
            from: 'PERMISSIVE',
            to: 'STRICT',
          },
        ]),
      ),
    ).toBe('STRICT since 3 Nov 2026; was PERMISSIVE for 40 days.');
    expect(
      timelineSentence(
        history([{ at: '2026-12-02T10:00:00.000Z', to: 'PERMISSIVE' }]),
      ),
    ).toBe('PERMISSIVE since 2 Dec 2026 (first recorded).');
    expect(
      timelineSentence(
        history([
          { at: '2026-12-01T10:00:00.000Z', to: 'PERMISSIVE' },
          { at: '2026-12-01T23:00:00.000Z', from: 'PERMISSIVE', to: 'STRICT' },
        ]),
      ),
    ).toBe('STRICT since 1 Dec 2026; was PERMISSIVE for 0 days.');
  });

  it('explains an empty or disabled history instead of showing nothing', () => {
    expect(timelineSentence(history([]))).toMatch(/^No history recorded yet/);
    expect(timelineSentence(history([], false))).toMatch(/turned off/);
  });

  it('reads dates as days in UTC, whatever the browser’s zone', () => {
    expect(formatDay('2026-01-01')).toBe('1 Jan 2026');
    expect(formatDay('2026-12-31T23:59:59.000Z')).toBe('31 Dec 2026');
  });

  it('summarises the catalog trend from the first to the last day', () => {
    expect(
      trendSentence([
        day('2026-11-01', 4, 10, 11),
        day('2026-12-02', 11, 20, 6),
      ]),
    ).toBe(
      '40 % of ports STRICT on 1 Nov 2026, 55 % on 2 Dec 2026; critical and high findings 12, then 7.',
    );
    expect(trendSentence([day('2026-12-02', 0, 0, 0)])).toBe(
      'no ports on 2 Dec 2026; 1 critical and high findings (one day recorded).',
    );
  });

  it('draws a line per run of known values, leaving gaps where a day has no ports', () => {
    expect(linePoints([0, 0.5, null, 1], 300, 100)).toEqual([
      '0.0,100.0 100.0,50.0',
      '300.0,0.0',
    ]);
    expect(linePoints([0.25], 300, 100)).toEqual(['150.0,75.0']);
    expect(linePoints([], 300, 100)).toEqual([]);
  });
});
