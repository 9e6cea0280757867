import { escapeControlCharacters } from '@mesh-security/plugin-mesh-security-common';

/** Longest input name printed; longer ones keep their start and end. */
const NAME_LENGTH = 200;

/** An input name (a path, a flag's value) as printed: escaped, length bounded. */
export function displayName(name: string): string {
  const escaped = escapeControlCharacters(name);
  if (escaped.length <= NAME_LENGTH) return escaped;
  const half = NAME_LENGTH / 2;
  return `${escaped.slice(0, half)}…${escaped.slice(-half)}`;
}

/**
 * Makes text safe to print in a terminal or a CI log, line by line: control characters are
 * escaped (a field can neither clear the screen nor start a line of its own), and nothing can
 * be read as a GitHub Actions workflow command — `::command::` at the start of a line once
 * leading spaces are trimmed, or `##[command]` anywhere in a line (the runner's
 * `ActionCommand.TryParseV2` and `TryParse`; docs.github.com "Workflow commands for GitHub
 * Actions"). Both are written with a `\u` escape for one character instead; JSON stays valid and
 * means the same, since these only ever occur inside its strings.
 */
export function safeForLogs(text: string): string {
  return text
    .split('\n')
    .map(line =>
      escapeControlCharacters(line)
        .replace(/^(\s*):(?=:)/, '$1\\u003a')
        .replace(/##\[/g, '#\\u0023['),
    )
    .join('\n');
}
