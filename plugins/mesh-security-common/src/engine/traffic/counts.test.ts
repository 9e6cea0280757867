import { later } from './counts';

describe('later', () => {
  it.each([
    // Canonical times (toISOString), compared as strings.
    ['2026-12-03T09:00:00.000Z', '2026-12-03T10:00:00.000Z', 'b'],
    ['2026-12-03T10:00:00.000Z', '2026-12-03T09:00:00.000Z', 'a'],
    ['2026-12-03T10:00:00.000Z', undefined, 'a'],
    [undefined, '2026-12-03T10:00:00.000Z', 'b'],
    // Other ISO forms are parsed: 10:00 UTC is later than 09:30 UTC written with an offset.
    ['2026-12-03T11:30:00+02:00', '2026-12-03T10:00:00.000Z', 'b'],
    ['2026-12-03T10:00:00Z', '2026-12-03T09:00:00.000Z', 'a'],
    ['2026-12-03T09:00:00.000Z', '2026-12-03T09:30:00Z', 'b'],
  ] as const)('later(%s, %s) is %s', (a, b, which) => {
    expect(later(a, b)).toBe(which === 'a' ? a : b);
  });

  it('agrees with comparing the parsed times for random canonical times', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 1000; i++) {
      const a = new Date(1.7e12 + Math.floor(random() * 1e11)).toISOString();
      const b = new Date(1.7e12 + Math.floor(random() * 1e11)).toISOString();
      const expected = Date.parse(b) > Date.parse(a) ? b : a;
      expect(later(a, b)).toBe(expected);
    }
  });
});
