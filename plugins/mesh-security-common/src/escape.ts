/**
 * Characters that change how text is shown rather than showing themselves: C0 and C1 controls
 * (escape sequences, carriage returns, new lines), DEL, the Unicode line and paragraph
 * separators, and the bidirectional formatting characters that can make displayed text differ
 * from what it is (Unicode TR #9; CVE-2021-42574 "Trojan Source").
 */
const CONTROL =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Returns `text` with every control character (see above) written as a `\uXXXX` escape, so a
 * name read from a manifest prints as one inert line in a terminal, a CI log or a message.
 *
 * @public
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(
    CONTROL,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
