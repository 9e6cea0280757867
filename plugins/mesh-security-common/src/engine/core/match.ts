import { LabelSelector } from '../../model';

/*
 * Small matching primitives shared by the policy layers. Pure and allocation-free on the hot
 * path: the caller-set computation runs them thousands of times per query.
 */

/**
 * Kubernetes label selector semantics ("Labels and Selectors", set-based requirements): every
 * `matchLabels` pair and every `matchExpressions` requirement must hold; an empty selector
 * selects everything.
 */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return true;
  const ml = selector.matchLabels;
  if (ml) {
    for (const key of Object.keys(ml)) {
      if (labels[key] !== ml[key]) return false;
    }
  }
  const exprs = selector.matchExpressions;
  if (exprs) {
    for (const e of exprs) {
      const has = Object.prototype.hasOwnProperty.call(labels, e.key);
      const values = e.values ?? [];
      switch (e.operator) {
        case 'In':
          if (!has || !values.includes(labels[e.key])) return false;
          break;
        case 'NotIn':
          if (has && values.includes(labels[e.key])) return false;
          break;
        case 'Exists':
          if (!has) return false;
          break;
        case 'DoesNotExist':
          if (has) return false;
          break;
        default:
          return false;
      }
    }
  }
  return true;
}

/** True when the selector has no requirement at all (selects everything). */
export function selectorIsEmpty(selector: LabelSelector | undefined): boolean {
  return (
    !selector ||
    (Object.keys(selector.matchLabels ?? {}).length === 0 &&
      (selector.matchExpressions ?? []).length === 0)
  );
}

/**
 * Istio string matching (AuthorizationPolicy reference, "Rule"): exact, prefix `abc*`,
 * suffix `*abc`, or `*` (any non-empty value).
 */
export function istioStringMatch(
  pattern: string,
  value: string | undefined,
): boolean {
  if (value === undefined) return false;
  if (pattern === '*') return value.length > 0;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

/** Parses an IPv4 address into a 32-bit unsigned number, or undefined. */
function ipv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** True when the CIDR covers every address of its family (`0.0.0.0/0`, `::/0`). */
export function cidrIsAll(cidr: string): boolean {
  return cidr === '0.0.0.0/0' || cidr === '::/0';
}

/**
 * Whether an IPv4 address lies in a CIDR (or equals a bare IP). Returns undefined when either
 * side is not IPv4 (IPv6 is not evaluated: the caller reports "cannot evaluate").
 */
export function cidrContains(cidr: string, ip: string): boolean | undefined {
  const [addr, bitsText] = cidr.split('/');
  const net = ipv4(addr);
  const host = ipv4(ip);
  if (net === undefined || host === undefined) return undefined;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (bits === 0) return true;
  const mask = bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
  return (net & mask) >>> 0 === (host & mask) >>> 0;
}
