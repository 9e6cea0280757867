import {
  ContainerPort,
  JsonObject,
  LabelSelector,
  Snapshot,
  SnapshotPolicy,
  SnapshotWorkload,
} from '../../model';
import { LayerVerdict, Tri, unknownForGroup } from '../core/caller';
import {
  cidrIsAll,
  ipsInCidr,
  networkInCidr,
  selectorMatches,
} from '../core/match';
import { Json, isObject } from '../validate/check';
import type { PeerEndpoint } from './peerEndpoint';

/*
 * CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (cilium.io/v2) at L3/L4, in the
 * "default" enforcement mode of Cilium's "Policy Enforcement Modes"
 * (https://docs.cilium.io/en/stable/security/policy/intro/) and the rules of "Layer 3 Examples"
 * and "Layer 4 Examples" (https://docs.cilium.io/en/stable/security/policy/language/): a rule
 * with an ingress (egress) section selecting an endpoint puts it into default deny for that
 * direction; every allow rule of every policy adds to what is allowed, Kubernetes NetworkPolicy
 * included; deny rules win over every allow ("Deny Policies",
 * https://docs.cilium.io/en/stable/security/policy/deny/). What the documentation leaves open
 * fails closed (docs/engine.md "Cilium network policies").
 */

type P = SnapshotPolicy<JsonObject>;
export type CiliumDirection = 'ingress' | 'egress';

const CILIUM_KINDS = ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'];
const NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
const SERVICE_ACCOUNT_LABEL = 'io.cilium.k8s.policy.serviceaccount';

export const isCiliumPolicy = (p: P) =>
  CILIUM_KINDS.includes(p.kind) && p.apiVersion.startsWith('cilium.io/');

/** How verdicts name a policy: a CCNP is cluster-scoped. */
export const ciliumRef = (p: P) =>
  p.kind === 'CiliumNetworkPolicy'
    ? `${p.kind} ${p.namespace}/${p.name}`
    : `${p.kind} ${p.name}`;

/** One rule of a policy: its `spec` or an item of its `specs`. */
export interface CiliumRule {
  policy: P;
  rule: Json;
  /** `spec` or `specs[i]`, for messages. */
  path: string;
  /** The CiliumNetworkPolicy's namespace; undefined for a clusterwide policy. */
  namespace?: string;
}

/** The rules of a policy: `spec` (when it holds one) and each item of `specs`. */
export function ciliumRules(p: P): CiliumRule[] {
  const namespace = p.kind === 'CiliumNetworkPolicy' ? p.namespace : undefined;
  const spec = p.spec as Json;
  const rules: CiliumRule[] = [];
  if (Object.keys(spec).some(k => k !== 'specs'))
    rules.push({ policy: p, rule: spec, path: 'spec', namespace });
  if (Array.isArray(spec.specs))
    spec.specs.forEach((rule, i) => {
      if (isObject(rule))
        rules.push({ policy: p, rule, path: `specs[${i}]`, namespace });
    });
  return rules;
}

/**
 * A Cilium selector as a Kubernetes one over the labels {@link endpointLabels} gives: the source
 * prefixes `k8s:` and `any:` dropped ("Endpoint Selector"); undefined when it names a label the
 * engine does not read (another source such as `reserved:` or `cidr:`, the cluster label,
 * namespace labels in a CiliumNetworkPolicy, where Cilium ignores them: "Using Kubernetes
 * Constructs in Policy", Namespaces).
 */
export function ciliumSelector(
  selector: unknown,
  clusterwide: boolean,
): LabelSelector | undefined {
  if (!isObject(selector)) return undefined;
  const key = (raw: string): string | undefined => {
    const m = /^([A-Za-z0-9-]+):(.*)$/.exec(raw);
    if (m && m[1] !== 'k8s' && m[1] !== 'any') return undefined;
    const k = m ? m[2] : raw;
    if (k.startsWith(NAMESPACE_LABELS_PREFIX))
      return clusterwide ? k : undefined;
    if (k.startsWith('io.cilium.') && k !== SERVICE_ACCOUNT_LABEL)
      return undefined;
    return k;
  };
  const matchLabels: Record<string, string> = {};
  for (const [raw, value] of Object.entries(
    isObject(selector.matchLabels) ? selector.matchLabels : {},
  )) {
    const k = key(raw);
    if (k === undefined || typeof value !== 'string') return undefined;
    matchLabels[k] = value;
  }
  const matchExpressions: NonNullable<LabelSelector['matchExpressions']> = [];
  const exprs = selector.matchExpressions;
  if (exprs !== undefined && exprs !== null && !Array.isArray(exprs))
    return undefined;
  for (const e of Array.isArray(exprs) ? exprs : []) {
    if (!isObject(e) || typeof e.key !== 'string') return undefined;
    const k = key(e.key);
    if (
      k === undefined ||
      !['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(String(e.operator))
    )
      return undefined;
    matchExpressions.push({
      key: k,
      operator: String(e.operator),
      values: Array.isArray(e.values) ? e.values.map(String) : [],
    } as NonNullable<LabelSelector['matchExpressions']>[number]);
  }
  return { matchLabels, matchExpressions };
}

const selectorKeys = (s: LabelSelector) => [
  ...Object.keys(s.matchLabels ?? {}),
  ...(s.matchExpressions ?? []).map(e => e.key),
];
const isNamespaceKey = (k: string) =>
  k === NAMESPACE_LABEL || k.startsWith(NAMESPACE_LABELS_PREFIX);

/**
 * A CiliumNetworkPolicy's selectors apply within its namespace unless they name one
 * (`io.kubernetes.pod.namespace`): "Using Kubernetes Constructs in Policy", Namespaces.
 */
function scoped(s: LabelSelector, namespace?: string): LabelSelector {
  if (namespace === undefined || selectorKeys(s).includes(NAMESPACE_LABEL))
    return s;
  return {
    ...s,
    matchLabels: { ...s.matchLabels, [NAMESPACE_LABEL]: namespace },
  };
}

/** The labels Cilium derives for a pod: its own, its namespace's, its service account. */
function endpointLabels(
  namespace: string,
  labels: Record<string, string>,
  nsLabels: Record<string, string>,
  serviceAccount?: string,
): Record<string, string> {
  const out: Record<string, string> = { ...labels };
  for (const [k, v] of Object.entries(nsLabels))
    out[`${NAMESPACE_LABELS_PREFIX}${k}`] = v;
  out[NAMESPACE_LABEL] = namespace;
  if (serviceAccount !== undefined) out[SERVICE_ACCOUNT_LABEL] = serviceAccount;
  return out;
}

/** Whether a rule's `endpointSelector` can be read (else docs/engine.md "Not evaluated"). */
export function readableEndpointSelector(rule: CiliumRule): boolean {
  return (
    rule.rule.nodeSelector === undefined &&
    ciliumSelector(rule.rule.endpointSelector, rule.namespace === undefined) !==
      undefined
  );
}

const directionKeys = (d: CiliumDirection) => [d, `${d}Deny`];

/** The rules of one direction for one subject workload. */
type Applying = Record<CiliumDirection, CiliumRule[]>;
const NONE: Applying = { ingress: [], egress: [] };

export class CiliumPolicyIndex {
  /** Rules with an endpoint selector the engine reads; host (`nodeSelector`) rules are not. */
  readonly rules: CiliumRule[];
  private readonly cache = new Map<SnapshotWorkload, Applying>();

  constructor(snapshot: Snapshot) {
    this.rules = (snapshot.unevaluated ?? [])
      .filter(isCiliumPolicy)
      .flatMap(ciliumRules)
      .filter(readableEndpointSelector);
  }

  releaseCaches(): void {
    this.cache.clear();
  }

  /**
   * The rules selecting the workload that have a section of the direction (`ingress`,
   * `ingressDeny`). Host-networked pods are not Cilium endpoints: only host policies select them.
   */
  applying(
    workload: SnapshotWorkload,
    nsLabels: Record<string, string>,
    direction: CiliumDirection,
  ): CiliumRule[] {
    if (this.rules.length === 0 || workload.hostNetwork) return NONE[direction];
    let hit = this.cache.get(workload);
    if (!hit) {
      const labels = endpointLabels(
        workload.namespace,
        workload.labels,
        nsLabels,
        workload.serviceAccount,
      );
      const selecting = this.rules.filter(r =>
        selectorMatches(
          scoped(
            ciliumSelector(r.rule.endpointSelector, r.namespace === undefined)!,
            r.namespace,
          ),
          labels,
        ),
      );
      const of = (d: CiliumDirection) =>
        selecting.filter(r =>
          directionKeys(d).some(k => r.rule[k] !== undefined),
        );
      hit = { ingress: of('ingress'), egress: of('egress') };
      this.cache.set(workload, hit);
    }
    return hit[direction];
  }
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * Whether a rule isolates its endpoints in a direction: `enableDefaultDeny` when set, else
 * whether it has rules of that direction (CRD `enableDefaultDeny`). A section that is present
 * but empty is `unknown`: the CRD says such a section "does not apply", the documented
 * default-deny example writes one (docs/engine.md "Cilium network policies").
 */
function isolates(r: CiliumRule, d: CiliumDirection): Tri {
  const defaultDeny = r.rule.enableDefaultDeny;
  if (isObject(defaultDeny) && typeof defaultDeny[d] === 'boolean')
    return defaultDeny[d] ? 'yes' : 'no';
  const keys = directionKeys(d);
  if (keys.some(k => list(r.rule[k]).length > 0)) return 'yes';
  return keys.some(k => k in r.rule) ? 'unknown' : 'no';
}

/** `fromEntities` / `toEntities` ("Entities based"). */
function entityMatches(entity: string, e: PeerEndpoint): Tri {
  const external = e.kind === 'external';
  switch (entity) {
    case 'all':
      return 'yes';
    case 'world':
    case 'world-ipv4':
    case 'world-ipv6':
      // Outside the cluster; a network peer's range may hold cluster addresses.
      if (!external) return 'no';
      return e.network ? 'unknown' : 'yes';
    case 'cluster':
      if (!external) return 'yes';
      return e.network ? 'unknown' : 'no';
    case 'host':
    case 'remote-node':
      // Nodes, and the pods on their network; which node is not known.
      if (!external) return e.hostNetwork ? 'unknown' : 'no';
      return e.network ? 'unknown' : 'no';
    case 'kube-apiserver':
      // In or outside the cluster.
      if (!external) return e.hostNetwork ? 'unknown' : 'no';
      return 'unknown';
    case 'ingress':
      // Cilium's Envoy: outside clients arrive through it, pods only by hairpinning.
      return external ? 'unknown' : 'no';
    case 'init':
    case 'health':
    case 'unmanaged':
      return e.network ? 'unknown' : 'no';
    default:
      return 'unknown';
  }
}

/** `fromCIDR(Set)` / `toCIDR(Set)`: never Cilium-managed pods ("IP/CIDR based"). */
function cidrMatches(
  cidr: string,
  except: string[],
  e: PeerEndpoint,
  what: string,
  cannot: string[],
): Tri {
  if (e.kind === 'pod') {
    if (!e.hostNetwork) return 'no';
    cannot.push(
      `${what}: CIDR ${cidr} against a host-networked pod (matched only with policy-cidr-match-mode nodes, which is not read)`,
    );
    return 'unknown';
  }
  if (e.network)
    return networkInCidr(e.network, cidr, except, `${what}: CIDR`, cannot);
  if (!e.ips || e.ips.length === 0) {
    if (cidrIsAll(cidr) && except.length === 0) return 'yes';
    cannot.push(`${what}: CIDR ${cidr} against an address that is unknown`);
    return 'unknown';
  }
  return ipsInCidr(e.ips, cidr, except);
}

/** `fromEndpoints` / `toEndpoints`: Cilium-managed pods, by their labels. */
function endpointMatches(
  selector: unknown,
  r: CiliumRule,
  e: PeerEndpoint,
  what: string,
  cannot: string[],
): Tri {
  if (e.kind === 'external' || e.hostNetwork) return 'no';
  const read = ciliumSelector(selector, r.namespace === undefined);
  if (!read) {
    cannot.push(`${what}: a selector with labels the engine does not read`);
    return 'unknown';
  }
  const s = scoped(read, r.namespace);
  const keys = selectorKeys(s);
  if (e.group) {
    // A group representative: its namespace (maybe), never its pod labels.
    if (
      keys.some(k => !isNamespaceKey(k)) ||
      (e.group.namespaceUnknown && keys.length > 0)
    )
      return unknownForGroup(e);
  }
  return selectorMatches(
    s,
    endpointLabels(e.namespace ?? '', e.labels, e.nsLabels, e.serviceAccount),
  )
    ? 'yes'
    : 'no';
}

const L3_FIELDS = {
  ingress: ['fromEndpoints', 'fromEntities', 'fromCIDR', 'fromCIDRSet'],
  egress: ['toEndpoints', 'toEntities', 'toCIDR', 'toCIDRSet'],
};
/** Peers the engine cannot match (services, names, nodes, cloud groups). */
const UNMATCHED_FIELDS = {
  ingress: ['fromNodes', 'fromGroups'],
  egress: ['toNodes', 'toGroups', 'toServices', 'toFQDNs'],
};
const REQUIRES = { ingress: 'fromRequires', egress: 'toRequires' };
const KNOWN = ['toPorts', 'icmps'];

/** Whether a port rule restricts requests above L4 (`rules`, a listener, TLS). */
function hasL7(portRule: Json): boolean {
  const rules = portRule.rules;
  const l7 =
    isObject(rules) &&
    Object.values(rules).some(v => (Array.isArray(v) ? v.length > 0 : !!v));
  return (
    l7 ||
    ['listener', 'terminatingTLS', 'originatingTLS', 'serverNames'].some(
      k => portRule[k] !== undefined && portRule[k] !== null,
    )
  );
}

/** One `ports` entry against the connection ("Layer 4 Examples", PortProtocol). */
function portMatches(
  entry: unknown,
  port: number,
  protocol: string,
  destPorts: ContainerPort[],
): boolean {
  if (!isObject(entry)) return false;
  const proto =
    typeof entry.protocol === 'string' && entry.protocol !== ''
      ? entry.protocol.toUpperCase()
      : 'ANY';
  if (proto !== 'ANY' && proto !== protocol) return false;
  const raw = entry.port;
  if (raw === undefined || raw === null || raw === '' || String(raw) === '0')
    return true;
  if (typeof raw === 'string' && !/^\d+$/.test(raw))
    // A named port; `endPort` is ignored.
    return destPorts.some(
      c =>
        c.name === raw &&
        c.port === port &&
        (proto === 'ANY' || (c.protocol ?? 'TCP') === proto),
    );
  const start = Number(raw);
  const end = typeof entry.endPort === 'number' ? entry.endPort : start;
  return port >= start && port <= end;
}

/** `toPorts` of a rule: `no`, or `yes` with whether every matching port rule carries L7. */
function toPortsMatch(
  toPorts: unknown,
  port: number,
  protocol: string,
  destPorts: ContainerPort[],
): { match: boolean; l7: boolean } {
  const matching = list(toPorts)
    .filter(isObject)
    .filter(pr => {
      const ports = list(pr.ports);
      return (
        ports.length === 0 ||
        ports.some(p => portMatches(p, port, protocol, destPorts))
      );
    });
  return {
    match: matching.length > 0,
    l7: matching.length > 0 && matching.every(hasL7),
  };
}

/** What one rule section entry (`ingress[i]`, `egressDeny[j]`) answers for a connection. */
interface EntryAnswer {
  match: Tri;
  /** The connection matches only port rules with L7 rules. */
  l7?: boolean;
}

function entryMatches(
  entry: Json,
  direction: CiliumDirection,
  r: CiliumRule,
  peer: PeerEndpoint,
  port: number,
  protocol: string,
  destPorts: ContainerPort[],
  what: string,
  cannot: string[],
): EntryAnswer {
  let l7 = false;
  if (entry.toPorts !== undefined) {
    const ports = toPortsMatch(entry.toPorts, port, protocol, destPorts);
    if (!ports.match) return { match: 'no' };
    l7 = ports.l7;
  } else if (entry.icmps !== undefined) return { match: 'no' };
  const l3 = L3_FIELDS[direction].filter(k => entry[k] !== undefined);
  const unmatched = [
    ...UNMATCHED_FIELDS[direction],
    ...Object.keys(entry).filter(
      k =>
        !KNOWN.includes(k) &&
        !L3_FIELDS[direction].includes(k) &&
        !UNMATCHED_FIELDS[direction].includes(k) &&
        k !== REQUIRES[direction],
    ),
  ].filter(k => entry[k] !== undefined);
  if (l3.length === 0 && unmatched.length === 0)
    // L4 only: every peer ("Limit ingress/egress ports"); an empty rule selects none.
    return {
      match: entry.toPorts !== undefined ? 'yes' : 'no',
      l7,
    };
  let answer = 'no' as Tri;
  const add = (m: Tri) => {
    if (m === 'yes' || answer === 'yes') answer = 'yes';
    else if (m === 'unknown') answer = 'unknown';
  };
  for (const k of unmatched) {
    cannot.push(`${what}: ${k} is not evaluated`);
    add('unknown');
  }
  for (const k of l3) {
    const items = entry[k];
    if (!Array.isArray(items) || items.length === 0) {
      // Cilium reads an empty list as an absent field; the documentation does not say.
      cannot.push(`${what}: an empty ${k}`);
      add('unknown');
      continue;
    }
    for (const item of items) {
      if (answer === 'yes') break;
      if (k.endsWith('Endpoints'))
        add(endpointMatches(item, r, peer, what, cannot));
      else if (k.endsWith('Entities')) {
        const m = entityMatches(String(item), peer);
        if (m === 'unknown')
          cannot.push(`${what}: entity ${String(item)} against this peer`);
        add(m);
      } else if (k.endsWith('CIDR'))
        add(cidrMatches(String(item), [], peer, what, cannot));
      else if (isObject(item)) {
        if (typeof item.cidr !== 'string') {
          cannot.push(`${what}: a CIDR group is not evaluated`);
          add('unknown');
        } else
          add(
            cidrMatches(
              item.cidr,
              list(item.except).map(String),
              peer,
              what,
              cannot,
            ),
          );
      }
    }
  }
  return { match: answer, l7 };
}

const entryName = (r: CiliumRule, key: string, i: number) =>
  `${ciliumRef(r.policy)} ${r.path}.${key}[${i}]`;

/**
 * One direction at its subject: Cilium rules selecting it together with the NetworkPolicies
 * isolating it (`npVerdict`: their answer, when any isolates). Deny rules first, then isolation,
 * then every allow; undefined when nothing isolates and nothing denies (allowed by default).
 */
export function ciliumDirectionVerdict(
  rules: CiliumRule[],
  direction: CiliumDirection,
  peer: PeerEndpoint,
  port: number,
  protocol: string,
  destPorts: ContainerPort[],
  where: string,
  npVerdict: LayerVerdict | undefined,
): LayerVerdict | undefined {
  const cannot: string[] = [];
  const denyKey = `${direction}Deny`;
  // Deny rules take precedence over every allow (Cilium, NetworkPolicy alike).
  let uncertainDeny: { name: string; policy: P } | undefined;
  for (const r of rules)
    for (const [i, entry] of list(r.rule[denyKey]).entries()) {
      if (!isObject(entry)) continue;
      const name = entryName(r, denyKey, i);
      const m = entryMatches(
        entry,
        direction,
        r,
        peer,
        port,
        protocol,
        destPorts,
        name,
        cannot,
      ).match;
      if (m === 'yes')
        return {
          effect: 'DENY',
          policy: ciliumRef(r.policy),
          message: `${name} denies this ${direction} on ${where}`,
          cannotEvaluate: [],
        };
      if (m === 'unknown') uncertainDeny ??= { name, policy: r.policy };
    }
  if (uncertainDeny)
    return {
      effect: 'DENY',
      policy: ciliumRef(uncertainDeny.policy),
      message: `${uncertainDeny.name} may deny this ${direction} on ${where}`,
      cannotEvaluate: [...new Set(cannot)],
    };
  // `fromRequires` / `toRequires` (deprecated) narrow every allow of the endpoint.
  const requires = rules.find(r =>
    list(r.rule[direction]).some(
      entry => isObject(entry) && entry[REQUIRES[direction]] !== undefined,
    ),
  );
  if (requires) {
    const why = `${ciliumRef(requires.policy)} ${requires.path}: ${
      REQUIRES[direction]
    } narrows every ${direction} of the endpoint and is not evaluated`;
    return {
      effect: 'DENY',
      policy: ciliumRef(requires.policy),
      message: `${why} (${where})`,
      cannotEvaluate: [why],
    };
  }
  let allow: LayerVerdict | undefined =
    npVerdict?.effect === 'ALLOW' ? npVerdict : undefined;
  let l7: { name: string; policy: P } | undefined;
  for (const r of rules)
    for (const [i, entry] of list(r.rule[direction]).entries()) {
      if (!isObject(entry)) continue;
      const name = entryName(r, direction, i);
      const a = entryMatches(
        entry,
        direction,
        r,
        peer,
        port,
        protocol,
        destPorts,
        name,
        cannot,
      );
      if (a.match !== 'yes') continue;
      if (a.l7) l7 ??= { name, policy: r.policy };
      else
        allow ??= {
          effect: 'ALLOW',
          policy: ciliumRef(r.policy),
          message: `${name} allows this ${direction} on ${where}`,
          cannotEvaluate: [],
        };
    }
  if (l7) {
    // L7 rules allow the connection but only some requests; how they merge with plain allows
    // is not documented: fail closed.
    const why = `${l7.name}: L7 rules restrict which requests are allowed on ${where}`;
    return {
      effect: 'DENY',
      policy: ciliumRef(l7.policy),
      message: `${why}; the engine does not evaluate them`,
      cannotEvaluate: [why],
    };
  }
  if (allow) return allow;
  const isolation = rules.map(r => isolates(r, direction));
  const isolated =
    (npVerdict !== undefined && npVerdict.effect === 'DENY') ||
    isolation.includes('yes');
  const names = [
    ...(npVerdict?.policy ? [npVerdict.policy] : []),
    ...new Set(rules.map(r => ciliumRef(r.policy))),
  ].join(', ');
  if (isolated)
    return {
      effect: 'DENY',
      policy: names,
      message: `${direction} is isolated by ${names} and no rule allows this peer on ${where}`,
      cannotEvaluate: [
        ...new Set([...(npVerdict?.cannotEvaluate ?? []), ...cannot]),
      ],
    };
  if (isolation.includes('unknown')) {
    const why = `${names}: an empty ${direction} section may or may not isolate the endpoint`;
    return {
      effect: 'DENY',
      policy: names,
      message: `${why}; no rule allows this peer on ${where}`,
      cannotEvaluate: [why, ...new Set(cannot)],
    };
  }
  return undefined;
}

/** The Cilium policies named in a set of rules (for access-graph grouping). */
export const ciliumRuleKey = (rules: CiliumRule[]) =>
  rules.map(r => `${ciliumRef(r.policy)}#${r.path}`).join(',');
