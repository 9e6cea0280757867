/**
 * Block-style YAML for a JSON value, as `yaml`'s `stringify` lays it out for Kubernetes objects
 * (two-space indentation, sequences indented under their key), built with string concatenation
 * only. Policies shown in an entity view are rendered on the request path, once per policy and
 * snapshot generation; the `yaml` library builds a document tree for that and allocated ~0.3 MiB
 * per view in the backend benchmark, most of the garbage its collections then paused for.
 *
 * Display only — parsing and editing policies (the scaffolder) uses `yaml`. Strings that are not
 * unambiguously plain are written as double-quoted scalars (JSON string syntax is valid YAML), so
 * `parse(renderYaml(v))` equals `v` for every JSON value (tested against the CRD fixtures).
 */
export function renderYaml(value: unknown): string {
  let out: string;
  if (isScalar(value)) out = `${scalar(value)}\n`;
  else if (Array.isArray(value))
    out = value.length === 0 ? '[]\n' : sequence(value, '');
  else
    out =
      Object.keys(value as object).length === 0
        ? '{}\n'
        : mapping(value as Record<string, unknown>, '');
  // Rendered policies are kept for a snapshot generation: return one flat string, not the tree
  // of fragments V8 keeps for a concatenation (several times the text's size).
  return Buffer.from(out, 'utf8').toString('utf8');
}

type Scalar = string | number | boolean | null;

function isScalar(value: unknown): value is Scalar {
  return value === null || typeof value !== 'object';
}

function mapping(value: Record<string, unknown>, indent: string): string {
  let out = '';
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v === undefined) continue;
    out += `${indent}${scalar(key)}:${nested(v, indent)}`;
  }
  return out;
}

function sequence(value: unknown[], indent: string): string {
  let out = '';
  for (const item of value) {
    if (isScalar(item) || isEmpty(item)) {
      out += `${indent}- ${inline(item)}\n`;
    } else if (Array.isArray(item)) {
      // A sequence in a sequence: its first item on the dash's line.
      out += `${indent}- ${sequence(item, `${indent}  `).slice(
        indent.length + 2,
      )}`;
    } else {
      out += `${indent}- ${mapping(
        item as Record<string, unknown>,
        `${indent}  `,
      ).slice(indent.length + 2)}`;
    }
  }
  return out;
}

/** What follows `key:` — a scalar on the same line, or a block on the next lines. */
function nested(value: unknown, indent: string): string {
  if (isScalar(value) || isEmpty(value)) return ` ${inline(value)}\n`;
  if (Array.isArray(value)) return `\n${sequence(value, `${indent}  `)}`;
  return `\n${mapping(value as Record<string, unknown>, `${indent}  `)}`;
}

function isEmpty(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (Array.isArray(value)
      ? value.length === 0
      : Object.keys(value).length === 0)
  );
}

function inline(value: unknown): string {
  if (isScalar(value)) return scalar(value);
  return Array.isArray(value) ? '[]' : '{}';
}

// Plain scalars we are sure YAML 1.2 (core schema) and YAML 1.1 readers take as the same
// string: start with a letter, digit, `/` or `_`, no spaces or characters with meaning in flow
// or block context (`:` only inside, never before a space or at the end), not a number,
// boolean, null, sexagesimal or timestamp lookalike.
const PLAIN = /^[A-Za-z0-9_/][A-Za-z0-9_./*:-]*$/;
const AMBIGUOUS =
  /^(?:[-+]?(?:\d[\d_]*)?\.?\d*(?:[eE][-+]?\d+)?|0[xob][0-9a-fA-F_]+|\d+:[\d:]+(?:\.\d*)?|\d{4}-\d\d?-\d\d?.*|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|\.inf|\.Inf|\.INF|\.nan|\.NaN|\.NAN)$/;

function scalar(value: Scalar): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number')
    return Number.isFinite(value) ? String(value) : 'null';
  if (
    value !== '' &&
    PLAIN.test(value) &&
    !value.endsWith(':') &&
    !AMBIGUOUS.test(value)
  )
    return value;
  return JSON.stringify(value);
}
