/**
 * Kubernetes label selector strings, as used by the Kubernetes plugin's
 * `backstage.io/kubernetes-label-selector` annotation: `app=web,tier!=db,env in (a,b),
 * release notin (x),has-label,!no-label`. Semantics follow the Kubernetes "Labels and
 * Selectors" documentation: all requirements must hold (AND); `!=` and `notin` also match
 * objects that lack the key.
 */
export type Requirement =
  | { key: string; op: 'exists' | 'notExists' }
  | { key: string; op: 'in' | 'notIn'; values: string[] };

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Parses a selector string; throws an Error with a readable message when it is malformed. */
export function parseLabelSelector(selector: string): Requirement[] {
  if (selector.length > 1024) throw new Error('label selector is too long');
  const parts = splitTopLevel(selector);
  return parts.map(part => {
    const set = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(part);
    if (set) {
      const values = set[3].split(',').map(v => v.trim());
      values.forEach(v => checkValue(v, part));
      return {
        key: checkKey(set[1], part),
        op: set[2] === 'in' ? 'in' : 'notIn',
        values,
      };
    }
    const neq = /^([^!=\s]+)\s*!=\s*(\S*)$/.exec(part);
    if (neq)
      return {
        key: checkKey(neq[1], part),
        op: 'notIn',
        values: [checkValue(neq[2], part)],
      };
    const eq = /^([^!=\s]+)\s*==?\s*(\S*)$/.exec(part);
    if (eq)
      return {
        key: checkKey(eq[1], part),
        op: 'in',
        values: [checkValue(eq[2], part)],
      };
    const not = /^!\s*(\S+)$/.exec(part);
    if (not) return { key: checkKey(not[1], part), op: 'notExists' };
    return { key: checkKey(part, part), op: 'exists' };
  });
}

/** Whether labels satisfy every requirement. An empty selector matches everything. */
export function matchesSelector(
  requirements: Requirement[],
  labels: Record<string, string> = {},
): boolean {
  return requirements.every(r => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'notExists':
        return !has;
      case 'in':
        return has && r.values.includes(labels[r.key]);
      case 'notIn':
        return !has || !r.values.includes(labels[r.key]);
      default:
        return false;
    }
  });
}

function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0)
      throw new Error(`unbalanced parentheses in label selector "${selector}"`);
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (depth !== 0)
    throw new Error(`unbalanced parentheses in label selector "${selector}"`);
  parts.push(current.trim());
  const nonEmpty = parts.filter(p => p.length > 0);
  if (nonEmpty.length !== parts.length && selector.trim() !== '') {
    throw new Error(`empty requirement in label selector "${selector}"`);
  }
  return nonEmpty;
}

function checkKey(key: string, part: string): string {
  if (!KEY.test(key))
    throw new Error(`invalid label key "${key}" in "${part}"`);
  return key;
}

function checkValue(value: string, part: string): string {
  if (!VALUE.test(value))
    throw new Error(`invalid label value "${value}" in "${part}"`);
  return value;
}
