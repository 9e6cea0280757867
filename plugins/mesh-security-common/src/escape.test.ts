import { escapeControlCharacters } from './escape';

describe('escapeControlCharacters', () => {
  it.each([
    ['\u001b[2J\u001b[H', '\\u001b[2J\\u001b[H'],
    ['a\nb\r\tc', 'a\\u000ab\\u000d\\u0009c'],
    ['\u009b31m', '\\u009b31m'],
    ['x\u2028y\u202eevil', 'x\\u2028y\\u202eevil'],
    ['payments-api', 'payments-api'],
    ['naïve ✓', 'naïve ✓'],
  ])('case %#', (text, escaped) => {
    expect(escapeControlCharacters(text)).toBe(escaped);
  });
});
