import {
  ContainerPort,
  JsonObject,
  LabelSelector,
  Snapshot,
  SnapshotPolicy,
  SnapshotWorkload,
} from '../../model';
import {
  CallerContext,
  LayerVerdict,
  Tri,
  unknownForGroup,
} from '../core/caller';
import {
  cidrIsAll,
  ipsInCidr,
  networkInCidr,
  selectorIsEmpty,
  selectorMatches,
} from '../core/match';
import { SelectorIndex, groupBy } from '../core/selectorIndex';
import { Json, isObject } from '../validate/check';
import { declaredPort, portName, protocolOf } from '../core/ports';
import {
  AdminDirection,
  AdminNetworkPolicyIndex,
  adminRef,
  firstMatchingRule,
} from './adminNetworkPolicy';
import {
  CiliumPolicyIndex,
  ciliumDirectionVerdict,
  ciliumRef,
} from './ciliumNetworkPolicy';
import type { PeerEndpoint } from './peerEndpoint';

/*
 * Kubernetes NetworkPolicy, "Network Policies" concept page
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/): a pod is
 * isolated for ingress (egress) when a policy selecting it has that policy type; policyTypes
 * default to Ingress, plus Egress when the policy has egress rules; policies are additive (a
 * connection is allowed when any rule of any selecting policy allows it); both the server's
 * ingress and the client's egress must allow a connection. `podSelector` peers select pods in
 * the policy's namespace, `namespaceSelector` whole namespaces (every namespace carries
 * `kubernetes.io/metadata.name`), both together the selected pods of the selected namespaces;
 * ports may be named (resolved against the destination pod) and carry `endPort`; a port entry
 * matches one `protocol` (TCP when omitted), so 53/UDP and 53/TCP are allowed separately.
 * AdminNetworkPolicies come before NetworkPolicies and the BaselineAdminNetworkPolicy after
 * them, per direction (adminNetworkPolicy.ts; docs/engine.md "AdminNetworkPolicy"). Cilium's
 * policies join the NetworkPolicies as one set (ciliumNetworkPolicy.ts; docs/engine.md "Cilium
 * network policies").
 */

type P = SnapshotPolicy<JsonObject>;
const ref = (p: P) => `NetworkPolicy ${p.namespace}/${p.name}`;

export function policyTypes(p: P): { ingress: boolean; egress: boolean } {
  if (Array.isArray(p.spec.policyTypes)) {
    return {
      ingress: p.spec.policyTypes.includes('Ingress'),
      egress: p.spec.policyTypes.includes('Egress'),
    };
  }
  return { ingress: true, egress: Array.isArray(p.spec.egress) };
}

export const npSelector = (p: P): LabelSelector =>
  isObject(p.spec.podSelector) ? (p.spec.podSelector as LabelSelector) : {};

export class NetworkPolicyIndex {
  private readonly byNs = new Map<string, SelectorIndex<P>>();
  /** AdminNetworkPolicies and the BaselineAdminNetworkPolicy. */
  readonly admin: AdminNetworkPolicyIndex;
  /** CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies. */
  readonly cilium: CiliumPolicyIndex;

  /** `unavailable`: why the NetworkPolicies are not known. */
  constructor(snapshot: Snapshot, readonly unavailable?: string) {
    this.admin = new AdminNetworkPolicyIndex(snapshot);
    this.cilium = new CiliumPolicyIndex(snapshot);
    for (const [ns, list] of groupBy(
      snapshot.networkPolicies,
      p => p.namespace,
    )) {
      const idx = new SelectorIndex<P>(npSelector);
      list.forEach(p => idx.add(p));
      this.byNs.set(ns, idx);
    }
  }

  private readonly cache = new Map<SnapshotWorkload, P[]>();

  selecting(namespace: string, labels: Record<string, string>): P[] {
    return this.byNs.get(namespace)?.matching(labels) ?? [];
  }

  private readonly directional = new Map<
    SnapshotWorkload,
    { ingress: P[]; egress: P[] }
  >();

  /** Forgets what was cached per workload (see EngineContext.releaseWorkloadCaches). */
  releaseCaches(): void {
    this.cache.clear();
    this.directional.clear();
    this.admin.releaseCaches();
    this.cilium.releaseCaches();
  }

  /** Policies isolating a workload's pods for ingress / egress (cached per workload). */
  isolating(workload: SnapshotWorkload): { ingress: P[]; egress: P[] } {
    let hit = this.directional.get(workload);
    if (!hit) {
      const all = this.selectingWorkload(workload);
      hit = {
        ingress: all.filter(p => policyTypes(p).ingress),
        egress: all.filter(p => policyTypes(p).egress),
      };
      this.directional.set(workload, hit);
    }
    return hit;
  }

  /** Policies selecting a workload's pods (cached per workload). */
  selectingWorkload(workload: SnapshotWorkload): P[] {
    let hit = this.cache.get(workload);
    if (!hit) {
      hit = this.selecting(workload.namespace, workload.labels);
      this.cache.set(workload, hit);
    }
    return hit;
  }

  inNamespace(namespace: string): readonly P[] {
    return this.byNs.get(namespace)?.items() ?? [];
  }
}

function peerMatches(
  peer: Json,
  policyNs: string,
  e: PeerEndpoint,
  cannot: string[],
  what: string,
): Tri {
  if (isObject(peer.ipBlock)) {
    const cidr = String(peer.ipBlock.cidr);
    const except = Array.isArray(peer.ipBlock.except)
      ? peer.ipBlock.except.map(String)
      : [];
    if (e.kind === 'external' && cidrIsAll(cidr) && except.length === 0)
      return 'yes';
    if (e.network)
      return networkInCidr(e.network, cidr, except, `${what}: ipBlock`, cannot);
    if (!e.ips || e.ips.length === 0) {
      cannot.push(
        `${what}: ipBlock ${cidr} against an address that is unknown${
          e.kind !== 'external'
            ? ' (ipBlock is meant for cluster-external addresses; pod IPs may or may not match)'
            : ''
        }`,
      );
      return unknownForGroup(e);
    }
    return ipsInCidr(e.ips, cidr, except);
  }
  const hasPod = isObject(peer.podSelector);
  const hasNs = isObject(peer.namespaceSelector);
  if (!hasPod && !hasNs) return 'no';
  if (e.kind === 'external') return 'no';
  if (hasNs) {
    const namespaces = peer.namespaceSelector as LabelSelector;
    if (e.group?.namespaceUnknown) {
      if (!selectorIsEmpty(namespaces)) return unknownForGroup(e);
    } else if (!selectorMatches(namespaces, e.nsLabels)) return 'no';
  } else if (e.group?.namespaceUnknown) return unknownForGroup(e);
  else if (e.namespace !== policyNs) return 'no';
  if (!hasPod || selectorIsEmpty(peer.podSelector as LabelSelector))
    return 'yes';
  if (e.group) return unknownForGroup(e);
  return selectorMatches(peer.podSelector as LabelSelector, e.labels)
    ? 'yes'
    : 'no';
}

function portMatches(
  ports: unknown,
  port: number,
  protocol: string,
  destPorts: ContainerPort[],
): boolean {
  if (!Array.isArray(ports) || ports.length === 0) return true;
  return ports.some(p => {
    if (!isObject(p)) return false;
    if ((typeof p.protocol === 'string' ? p.protocol : 'TCP') !== protocol)
      return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') {
      // Named port (the reader refuses a name without a letter, such as "8080"): resolved
      // against the destination pod's container ports.
      return destPorts.some(
        c => c.name === p.port && c.port === port && protocolOf(c) === protocol,
      );
    }
    const start = Number(p.port);
    const end = typeof p.endPort === 'number' ? p.endPort : start;
    return port >= start && port <= end;
  });
}

const namesCache = new WeakMap<P[], string>();

function rulesAllow(
  policies: P[],
  direction: 'ingress' | 'egress',
  peer: PeerEndpoint,
  port: number,
  destPorts: ContainerPort[],
): LayerVerdict {
  // The protocol of the port the destination declares under this number (TCP when it declares
  // the number over TCP or not at all): a rule allowing 53/UDP does not allow 53/TCP.
  const protocol = protocolOf(declaredPort(destPorts, port) ?? {});
  const where = `port ${portName({ port, protocol })}`;
  const peersKey = direction === 'ingress' ? 'from' : 'to';
  const cannot: string[] = [];
  for (const p of policies) {
    const rules = Array.isArray(p.spec[direction])
      ? (p.spec[direction] as unknown[])
      : [];
    for (const rule of rules) {
      const r = isObject(rule) ? rule : {};
      if (!portMatches(r.ports, port, protocol, destPorts)) continue;
      const peers = Array.isArray(r[peersKey])
        ? (r[peersKey] as unknown[])
        : [];
      if (peers.length === 0)
        return {
          effect: 'ALLOW',
          policy: ref(p),
          message: `${ref(
            p,
          )} allows ${direction} from/to every peer on ${where}`,
          cannotEvaluate: [],
        };
      for (const pe of peers) {
        const m = peerMatches(
          isObject(pe) ? pe : {},
          p.namespace,
          peer,
          cannot,
          ref(p),
        );
        if (m === 'yes')
          return {
            effect: 'ALLOW',
            policy: ref(p),
            message: `${ref(p)} allows this ${direction} on ${where}`,
            cannotEvaluate: [],
          };
      }
    }
  }
  let names = namesCache.get(policies);
  if (names === undefined)
    namesCache.set(policies, (names = policies.map(ref).join(', ')));
  return {
    effect: 'DENY',
    policy: names,
    message: `${direction} is isolated by ${names} and no rule allows this peer on ${where}`,
    cannotEvaluate: cannot,
  };
}

/** An admin rule's decision as a layer verdict. */
function adminVerdict(
  decision: Exclude<ReturnType<typeof firstMatchingRule>, { kind: 'none' }>,
  direction: AdminDirection,
  where: string,
): LayerVerdict {
  const name = `${adminRef(decision.policy)} ${decision.rule}`;
  if (decision.kind === 'unknown')
    return {
      effect: 'DENY',
      policy: adminRef(decision.policy),
      message: `${name} cannot be evaluated for this ${direction} on ${where}: ${decision.why}`,
      cannotEvaluate: [`${name}: ${decision.why}`],
    };
  const allows = decision.action === 'Allow';
  return {
    effect: allows ? 'ALLOW' : 'DENY',
    policy: adminRef(decision.policy),
    message: `${name} ${
      allows ? 'allows' : 'denies'
    } this ${direction} on ${where}${decision.why ? ` (${decision.why})` : ''}`,
    cannotEvaluate: [],
  };
}

/**
 * One direction at its subject (the destination for ingress, the source for egress): the
 * AdminNetworkPolicies by precedence (`Allow` and `Deny` decide, `Pass` skips to NetworkPolicy),
 * then the NetworkPolicies isolating the subject, then the BaselineAdminNetworkPolicy; undefined
 * when none of them decides (allowed by default).
 */
function directionVerdict(
  index: NetworkPolicyIndex,
  direction: AdminDirection,
  subject: SnapshotWorkload,
  subjectNsLabels: Record<string, string>,
  peer: PeerEndpoint,
  port: number,
  destPorts: ContainerPort[],
): LayerVerdict | undefined {
  const isolating = index.isolating(subject)[direction];
  const admin = index.admin.applying(subject, subjectNsLabels, direction);
  const cilium = index.cilium.applying(subject, subjectNsLabels, direction);
  const protocol = protocolOf(declaredPort(destPorts, port) ?? {});
  const where = `port ${portName({ port, protocol })}`;
  if (admin.admin.length === 0 && !admin.baseline) {
    const np =
      isolating.length > 0
        ? rulesAllow(isolating, direction, peer, port, destPorts)
        : undefined;
    return cilium.length > 0
      ? ciliumDirectionVerdict(
          cilium,
          direction,
          peer,
          port,
          protocol,
          destPorts,
          where,
          np,
        )
      : np;
  }
  if (cilium.length > 0) {
    // Cilium does not document how admin network policies and its own combine.
    const names = [
      ...admin.admin,
      ...(admin.baseline ? [admin.baseline] : []),
    ].map(adminRef);
    const why = `${names.join(', ')} and ${[
      ...new Set(cilium.map(r => ciliumRef(r.policy))),
    ].join(
      ', ',
    )} both apply to this ${direction}: their order is not documented`;
    return {
      effect: 'DENY',
      policy: names.join(', '),
      message: `${why} (${where})`,
      cannotEvaluate: [why],
    };
  }
  const first = firstMatchingRule(
    admin.admin,
    direction,
    peer,
    port,
    protocol,
    destPorts,
  );
  if (
    first.kind !== 'none' &&
    !(first.kind === 'action' && first.action === 'Pass')
  )
    return adminVerdict(first, direction, where);
  const passed =
    first.kind === 'action'
      ? `${adminRef(first.policy)} ${first.rule} passes this ${direction} on`
      : undefined;
  const after = (v: LayerVerdict): LayerVerdict =>
    passed ? { ...v, message: `${passed} ${where}; ${v.message}` } : v;
  if (isolating.length > 0)
    return after(rulesAllow(isolating, direction, peer, port, destPorts));
  if (admin.baseline) {
    const base = firstMatchingRule(
      [admin.baseline],
      direction,
      peer,
      port,
      protocol,
      destPorts,
    );
    if (base.kind !== 'none')
      return after(adminVerdict(base, direction, where));
  }
  return passed
    ? {
        effect: 'ALLOW',
        message: `${passed} ${where}; no NetworkPolicy or BaselineAdminNetworkPolicy rule decides it`,
        cannotEvaluate: [],
        byDefault: true,
      }
    : undefined;
}

/**
 * The network layer: target ingress, then caller egress, each through AdminNetworkPolicies,
 * NetworkPolicies and the BaselineAdminNetworkPolicy; both must allow.
 */
export function networkPolicyCheck(
  index: NetworkPolicyIndex,
  target: SnapshotWorkload,
  targetNsLabels: Record<string, string>,
  caller: CallerContext,
  port: number,
): LayerVerdict {
  if (index.unavailable)
    return {
      effect: 'DENY',
      message: `the NetworkPolicy layer cannot be evaluated: ${index.unavailable}`,
      cannotEvaluate: [`NetworkPolicies: ${index.unavailable}`],
    };
  let from: PeerEndpoint = {
    kind: 'external',
    labels: {},
    nsLabels: {},
    ips: caller.ips,
    ...(caller.network ? { network: caller.network } : {}),
  };
  if (caller.kind === 'workload')
    from = {
      kind: 'pod',
      namespace: caller.namespace,
      labels: caller.labels,
      nsLabels: caller.nsLabels,
      serviceAccount: caller.serviceAccount,
      ips: caller.ips,
      group: caller.group,
      hostNetwork: caller.workload?.hostNetwork,
    };
  const inVerdict = directionVerdict(
    index,
    'ingress',
    target,
    targetNsLabels,
    from,
    port,
    target.ports,
  );
  if (inVerdict?.effect === 'DENY') return inVerdict;
  if (
    caller.kind === 'workload' &&
    caller.workload &&
    !caller.workload.hostNetwork
  ) {
    const to: PeerEndpoint = {
      kind: 'pod',
      namespace: target.namespace,
      labels: target.labels,
      nsLabels: targetNsLabels,
      serviceAccount: target.serviceAccount,
      ips: target.pods.map(p => p.podIP).filter((x): x is string => !!x),
      hostNetwork: target.hostNetwork,
    };
    const out = directionVerdict(
      index,
      'egress',
      caller.workload,
      caller.nsLabels,
      to,
      port,
      target.ports,
    );
    if (out) {
      if (out.effect === 'DENY') return out;
      return {
        ...out,
        message: inVerdict
          ? `${inVerdict.message}; ${out.message}`
          : out.message,
        ...(out.byDefault && inVerdict && !inVerdict.byDefault
          ? { byDefault: false }
          : {}),
      };
    }
  }
  return (
    inVerdict ?? {
      effect: 'ALLOW',
      message: 'no NetworkPolicy isolates this connection',
      cannotEvaluate: [],
      byDefault: true,
    }
  );
}
