/*
 * A tiny structural checker. The engine cannot ship ajv (it runs in the browser and the CRD
 * schemas are not bundled), and the CRDs carry CEL rules (`x-kubernetes-validations`) that no
 * JSON-schema validator runs anyway, so the reader checks the fields it relies on itself.
 */

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Collects "path: problem" messages. */
export class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    this.list.push(`${path}: ${message}`);
  }
}

export function checkObject(
  p: Problems,
  path: string,
  v: unknown,
  required = false,
): v is Json {
  if (v === undefined || v === null) {
    if (required) p.add(path, 'Required value');
    return false;
  }
  if (!isObject(v)) {
    p.add(path, 'must be an object');
    return false;
  }
  return true;
}

/**
 * Why a value that must be a string is not one. An unquoted `false`, `no`, `off` or `2` is a
 * boolean or number to kubectl (YAML 1.1, see `kubectlYamlTags`), and the API server refuses it
 * where a string belongs; the message says what to do about it.
 */
export function notAString(v: unknown): string {
  if (typeof v === 'boolean')
    return (
      'must be a string, not a boolean (YAML reads true/false, yes/no, on/off and y/n ' +
      'without quotes as booleans: quote the value)'
    );
  if (typeof v === 'number')
    return 'must be a string, not a number (quote the value)';
  return 'must be a string';
}

export function checkString(
  p: Problems,
  path: string,
  v: unknown,
  required = false,
): v is string {
  if (v === undefined || v === null) {
    if (required) p.add(path, 'Required value');
    return false;
  }
  if (typeof v !== 'string') {
    p.add(path, notAString(v));
    return false;
  }
  return true;
}

export function checkEnum(
  p: Problems,
  path: string,
  v: unknown,
  values: readonly string[],
): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'string' || !values.includes(v)) {
    p.add(
      path,
      `Unsupported value: ${JSON.stringify(v)}: supported values: ${values.join(
        ', ',
      )}`,
    );
  }
}

export function checkStringArray(
  p: Problems,
  path: string,
  v: unknown,
  maxItems?: number,
): v is string[] {
  if (v === undefined || v === null) return false;
  if (!Array.isArray(v)) {
    p.add(path, 'must be a list of strings');
    return false;
  }
  const item = v.findIndex(s => typeof s !== 'string');
  if (item >= 0) {
    p.add(`${path}[${item}]`, notAString(v[item]));
    return false;
  }
  if (maxItems !== undefined && v.length > maxItems)
    p.add(path, `must have at most ${maxItems} items`);
  return true;
}

export function checkArray(
  p: Problems,
  path: string,
  v: unknown,
  required = false,
): v is unknown[] {
  if (v === undefined || v === null) {
    if (required) p.add(path, 'Required value');
    return false;
  }
  if (!Array.isArray(v)) {
    p.add(path, 'must be a list');
    return false;
  }
  return true;
}

export function checkNumber(
  p: Problems,
  path: string,
  v: unknown,
  range: { min?: number; max?: number } = {},
): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || Number.isNaN(v)) {
    p.add(path, 'must be a number');
    return;
  }
  if (
    (range.min !== undefined && v < range.min) ||
    (range.max !== undefined && v > range.max)
  ) {
    p.add(
      path,
      `Invalid value: ${v}: must be between ${range.min ?? '-inf'} and ${
        range.max ?? 'inf'
      }`,
    );
  }
}

/** A Kubernetes label selector: string label values, well-formed expressions. */
export function checkLabelSelector(
  p: Problems,
  path: string,
  v: unknown,
  istio = false,
): void {
  if (!checkObject(p, path, v)) return;
  const ml = v.matchLabels;
  if (ml !== undefined && ml !== null) {
    if (!isObject(ml)) p.add(`${path}.matchLabels`, 'must be an object');
    else {
      for (const [key, value] of Object.entries(ml)) {
        if (typeof value !== 'string')
          p.add(`${path}.matchLabels.${key}`, notAString(value));
        // Istio CRD CEL rules: "wildcard not allowed in label key/value match", "key must not be empty".
        if (istio && key.length === 0)
          p.add(`${path}.matchLabels`, 'key must not be empty');
        if (istio && key.includes('*'))
          p.add(
            `${path}.matchLabels`,
            'wildcard not allowed in label key match',
          );
        if (istio && typeof value === 'string' && value.includes('*')) {
          p.add(
            `${path}.matchLabels.${key}`,
            'wildcard not allowed in label value match',
          );
        }
      }
    }
  }
  const me = v.matchExpressions;
  if (checkArray(p, `${path}.matchExpressions`, me)) {
    me.forEach((e, i) => {
      const ep = `${path}.matchExpressions[${i}]`;
      if (!checkObject(p, ep, e, true)) return;
      checkString(p, `${ep}.key`, e.key, true);
      checkEnum(p, `${ep}.operator`, e.operator, [
        'In',
        'NotIn',
        'Exists',
        'DoesNotExist',
      ]);
      if (e.operator === undefined) p.add(`${ep}.operator`, 'Required value');
      checkStringArray(p, `${ep}.values`, e.values);
    });
  }
}

const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a label key is invalid (Kubernetes' qualified name: `[prefix/]name`), if it is. */
function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (
    prefix !== undefined &&
    (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))
  )
    return 'prefix part must be a lowercase DNS subdomain';
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name))
    return 'name part must be 1 to 63 alphanumeric characters, "-", "_" or ".", starting and ending with an alphanumeric character';
  return undefined;
}

/** Why a label value is invalid, if it is (at most 63 characters, the label name's alphabet). */
function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !LABEL_NAME.test(value))
    return 'must be at most 63 alphanumeric characters, "-", "_" or ".", starting and ending with an alphanumeric character';
  return undefined;
}

/**
 * A LabelSelector of a built-in Kubernetes kind (NetworkPolicy), which the API server validates
 * beyond its structure (`ValidateLabelSelector`): keys are qualified names, values label values,
 * `In`/`NotIn` need values and `Exists`/`DoesNotExist` take none. A CRD's selector is checked by
 * its schema alone ({@link checkLabelSelector}).
 */
export function checkKubernetesLabelSelector(
  p: Problems,
  path: string,
  v: unknown,
): void {
  const before = p.list.length;
  checkLabelSelector(p, path, v);
  if (p.list.length > before || !isObject(v)) return;
  if (isObject(v.matchLabels)) {
    for (const [key, value] of Object.entries(v.matchLabels)) {
      const problem = labelKeyProblem(key);
      if (problem)
        p.add(`${path}.matchLabels`, `Invalid value: "${key}": ${problem}`);
      const bad = labelValueProblem(value as string);
      if (bad)
        p.add(`${path}.matchLabels`, `Invalid value: "${value}": ${bad}`);
    }
  }
  if (!Array.isArray(v.matchExpressions)) return;
  v.matchExpressions.forEach((e, i) => {
    const ep = `${path}.matchExpressions[${i}]`;
    if (!isObject(e)) return;
    const keyProblem = labelKeyProblem(String(e.key));
    if (keyProblem)
      p.add(`${ep}.key`, `Invalid value: "${e.key}": ${keyProblem}`);
    const values = Array.isArray(e.values) ? e.values : [];
    if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0)
      p.add(
        `${ep}.values`,
        "must be specified when `operator` is 'In' or 'NotIn'",
      );
    if (
      (e.operator === 'Exists' || e.operator === 'DoesNotExist') &&
      values.length > 0
    )
      p.add(
        `${ep}.values`,
        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      );
    for (const value of values) {
      const bad = labelValueProblem(String(value));
      if (bad) p.add(`${ep}.values`, `Invalid value: "${value}": ${bad}`);
    }
  });
}

/** Go duration (as Istio accepts: `300s`, `1m30s`, `10ms`) to milliseconds, or undefined. */
export function durationMs(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;
  if (!/^((\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns))+$/.test(text)) return undefined;
  const unit: Record<string, number> = {
    h: 3600000,
    m: 60000,
    s: 1000,
    ms: 1,
    us: 0.001,
    µs: 0.001,
    ns: 0.000001,
  };
  let total = 0;
  for (const m of text.matchAll(re)) total += Number(m[1]) * unit[m[2]];
  return total;
}

/** An IPv4/IPv6 address or CIDR, syntactically. */
export function isCidrLike(value: string): boolean {
  const [addr, bits, extra] = value.split('/');
  if (extra !== undefined || addr.length === 0) return false;
  const maxBits = addr.includes(':') ? 128 : 32;
  if (bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > maxBits))
    return false;
  if (addr.includes(':')) return /^[0-9a-fA-F:.]+$/.test(addr);
  const parts = addr.split('.');
  return (
    parts.length === 4 &&
    parts.every(x => /^\d{1,3}$/.test(x) && Number(x) <= 255)
  );
}
