import { LabelSelector, SnapshotService } from '../../model';

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
  if (ml && !labelsMatch(ml, labels)) return false;
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

/** Every pair of `required` is in `labels` (without allocating: the hot path calls it). */
function labelsMatch(
  required: Record<string, string>,
  labels: Record<string, string>,
): boolean {
  for (const key in required)
    if (
      Object.prototype.hasOwnProperty.call(required, key) &&
      labels[key] !== required[key]
    )
      return false;
  return true;
}

/**
 * Whether a Service selects a pod with these labels: Kubernetes selects no pod for a Service
 * without a selector or with an empty one ("Services without selectors": its endpoints are
 * managed elsewhere), else the pods carrying every pair of it.
 */
export function serviceSelects(
  service: Pick<SnapshotService, 'selector'>,
  labels: Record<string, string>,
): boolean {
  const selector = service.selector;
  if (!selector) return false;
  for (const key in selector)
    if (Object.prototype.hasOwnProperty.call(selector, key))
      return labelsMatch(selector, labels);
  return false;
}

const servicesByNamespace = new WeakMap<
  readonly object[],
  Map<string, unknown[]>
>();

/**
 * The Services of one namespace, from a snapshot's list; grouped once per list, which stays the
 * same object while no Service changes (docs/engine.md "Incremental evaluation").
 */
export function servicesIn<S extends { namespace: string }>(
  services: readonly S[],
  namespace: string,
): readonly S[] {
  let index = servicesByNamespace.get(services) as Map<string, S[]> | undefined;
  if (!index) {
    index = new Map();
    for (const service of services) {
      const list = index.get(service.namespace);
      if (list) list.push(service);
      else index.set(service.namespace, [service]);
    }
    servicesByNamespace.set(services, index);
  }
  return index.get(namespace) ?? [];
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

/** A CIDR (or bare address) as 16-bit words: 2 for IPv4, 8 for IPv6, with its prefix length. */
interface ParsedCidr {
  v6: boolean;
  words: number[];
  bits: number;
}

function ipv6Words(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const part = (s: string) => (s === '' ? [] : s.split(':'));
  const head = part(halves[0]);
  const tail = halves.length === 2 ? part(halves[1]) : [];
  // A trailing dotted quad (`::ffff:10.0.0.1`) is two words.
  const last = tail.length > 0 ? tail : head;
  if (last.length > 0 && last[last.length - 1].includes('.')) {
    const v4 = ipv4(last.pop()!);
    if (v4 === undefined) return undefined;
    last.push((v4 >>> 16).toString(16), (v4 & 0xffff).toString(16));
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const words: number[] = [];
  for (const w of [
    ...head,
    ...Array(halves.length === 2 ? missing : 0).fill('0'),
    ...tail,
  ]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return undefined;
    words.push(parseInt(w, 16));
  }
  return words;
}

function parseCidr(cidr: string): ParsedCidr | undefined {
  const [addr, bitsText, extra] = cidr.trim().split('/');
  if (extra !== undefined) return undefined;
  const v6 = addr.includes(':');
  let words: number[] | undefined;
  if (v6) words = ipv6Words(addr);
  else {
    const n = ipv4(addr);
    if (n !== undefined) words = [n >>> 16, n & 0xffff];
  }
  if (!words) return undefined;
  const max = v6 ? 128 : 32;
  if (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (bits > max) return undefined;
  return { v6, words, bits };
}

/** Whether every address of `inner` lies in `outer` (both parsed). */
function parsedContains(outer: ParsedCidr, inner: ParsedCidr): boolean {
  if (outer.v6 !== inner.v6 || outer.bits > inner.bits) return false;
  let left = outer.bits;
  for (let i = 0; left > 0; i++, left -= 16) {
    const mask = left >= 16 ? 0xffff : (0xffff << (16 - left)) & 0xffff;
    if ((outer.words[i] & mask) !== (inner.words[i] & mask)) return false;
  }
  return true;
}

/**
 * A set of addresses: the union of `cidrs` minus the union of `except` (an Istio `ipBlocks` /
 * `notIpBlocks` pair, a Linkerd NetworkAuthentication network, a NetworkPolicy `ipBlock`).
 */
export interface AddressSet {
  cidrs: string[];
  except?: string[];
}

/**
 * Whether every address of `range` lies in `set` (`yes`), none does (`no`), or some do or it
 * cannot be told (`unknown`: a CIDR that does not parse, or a set whose exclusions only their
 * union would settle). Two CIDRs are either nested or disjoint, which keeps this exact for the
 * usual shapes (a range taken from the very rule that is asked).
 */
export function addressSetWithin(
  range: AddressSet,
  set: AddressSet,
): 'yes' | 'no' | 'unknown' {
  const parseAll = (list: string[] | undefined) => {
    const out = (list ?? []).map(parseCidr);
    return out.every(Boolean) ? (out as ParsedCidr[]) : undefined;
  };
  const own = parseAll(range.cidrs);
  const ownExcept = parseAll(range.except);
  const values = parseAll(set.cidrs);
  const excepts = parseAll(set.except);
  if (!own || !ownExcept || !values || !excepts || own.length === 0)
    return 'unknown';
  const smaller = (a: ParsedCidr, b: ParsedCidr) => (a.bits >= b.bits ? a : b);
  const overlaps = (a: ParsedCidr, b: ParsedCidr) =>
    parsedContains(a, b) || parsedContains(b, a);
  // The addresses of c that the range keeps (c minus the range's own exclusions) meet x.
  const meets = (c: ParsedCidr, x: ParsedCidr) =>
    overlaps(c, x) && !ownExcept.some(e => parsedContains(e, smaller(c, x)));
  let yes = 0;
  let no = 0;
  for (const c of own) {
    if (ownExcept.some(e => parsedContains(e, c))) {
      // Entirely excluded: it adds no address.
      yes++;
      no++;
      continue;
    }
    const inside = values.some(v => parsedContains(v, c));
    const cut = excepts.filter(x => meets(c, x));
    if (inside && cut.length === 0) yes++;
    else if (
      values
        .filter(v => meets(c, v))
        .every(v => excepts.some(x => parsedContains(x, smaller(c, v))))
    )
      no++;
    else return 'unknown';
  }
  if (yes === own.length) return 'yes';
  return no === own.length ? 'no' : 'unknown';
}

/**
 * A network peer (a range of source addresses; `remote`: original client addresses, unknown)
 * against a CIDR with exceptions, for NetworkPolicy `ipBlock` and Cilium CIDR rules: the
 * reason is pushed to `cannot` when the answer is `unknown`. `label` names the rule's field.
 */
export function networkInCidr(
  network: AddressSet & { remote?: boolean },
  cidr: string,
  except: string[],
  label: string,
  cannot: string[],
): 'yes' | 'no' | 'unknown' {
  const m = network.remote
    ? 'unknown'
    : addressSetWithin(network, { cidrs: [cidr], except });
  if (m === 'unknown')
    cannot.push(
      `${label} ${cidr} against a network peer whose source addresses it only partly covers`,
    );
  return m;
}

/**
 * Known IPs against a CIDR with exceptions: `yes` when every IP is inside, `unknown` when one
 * does not parse, else `no`.
 */
export function ipsInCidr(
  ips: string[],
  cidr: string,
  except: string[],
): 'yes' | 'no' | 'unknown' {
  const all = ips.map(ip => {
    const inside = cidrContains(cidr, ip);
    if (inside === undefined) return undefined;
    return inside && except.every(x => cidrContains(x, ip) === false);
  });
  if (all.every(x => x === true)) return 'yes';
  return all.some(x => x === undefined) ? 'unknown' : 'no';
}
