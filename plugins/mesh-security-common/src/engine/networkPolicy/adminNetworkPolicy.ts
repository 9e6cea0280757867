import {
  ContainerPort,
  JsonObject,
  LabelSelector,
  Snapshot,
  SnapshotPolicy,
  SnapshotWorkload,
} from '../../model';
import { Tri, unknownForGroup } from '../core/caller';
import { cidrContains, selectorIsEmpty, selectorMatches } from '../core/match';
import { protocolOf } from '../core/ports';
import { Json, isObject } from '../validate/check';
import type { PeerEndpoint } from './peerEndpoint';

/*
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1), as the
 * Network Policy API overview (https://network-policy-api.sigs.k8s.io/api-overview/) and the API
 * reference (https://network-policy-api.sigs.k8s.io/reference/spec/) describe them: ANPs apply
 * by ascending `priority`, rules in written order, the first matching rule decides (`Allow`,
 * `Deny`, or `Pass` to NetworkPolicy); the BaselineAdminNetworkPolicy `default` applies after
 * NetworkPolicy, only when none selects the pod; host-networked pods are neither subjects nor
 * `namespaces`/`pods` peers; a peer with none of the known fields fails closed (an `Allow` rule
 * matches nothing, a `Deny`/`Pass` rule denies everything).
 */

type P = SnapshotPolicy<JsonObject>;
export type AdminDirection = 'ingress' | 'egress';

const ADMIN_NETWORK_POLICY_GROUP = 'policy.networking.k8s.io';

const isAdminKind = (p: P, kind: string) =>
  p.kind === kind && p.apiVersion.startsWith(`${ADMIN_NETWORK_POLICY_GROUP}/`);

/** How verdicts and messages name the object: both kinds are cluster-scoped. */
export const adminRef = (p: P) => `${p.kind} ${p.name}`;

export const adminPriority = (p: P): number =>
  typeof p.spec.priority === 'number' ? p.spec.priority : 0;

/** Whether the policy's `subject` selects the workload's pods. */
export function adminSubjectSelects(
  p: P,
  workload: SnapshotWorkload,
  nsLabels: Record<string, string>,
): boolean {
  if (workload.hostNetwork) return false;
  const subject = p.spec.subject;
  if (!isObject(subject)) return false;
  if (isObject(subject.namespaces))
    return selectorMatches(subject.namespaces as LabelSelector, nsLabels);
  if (isObject(subject.pods)) {
    const pods = subject.pods;
    return (
      selectorMatches(pods.namespaceSelector as LabelSelector, nsLabels) &&
      selectorMatches(pods.podSelector as LabelSelector, workload.labels)
    );
  }
  return false;
}

const rulesOf = (p: P, direction: AdminDirection): unknown[] =>
  Array.isArray(p.spec[direction]) ? (p.spec[direction] as unknown[]) : [];

/** The admin policies of one direction for one subject workload. */
interface AdminPolicies {
  /** AdminNetworkPolicies by precedence (priority, then name). */
  admin: P[];
  baseline?: P;
}

const NO_POLICIES: AdminPolicies = { admin: [] };

export class AdminNetworkPolicyIndex {
  /** Every AdminNetworkPolicy, by precedence (ascending priority, then name). */
  readonly admin: P[];
  /** The BaselineAdminNetworkPolicy: the singleton named `default`. */
  readonly baseline?: P;
  private readonly cache = new Map<
    SnapshotWorkload,
    Record<AdminDirection, AdminPolicies>
  >();

  constructor(snapshot: Snapshot) {
    const kept = snapshot.unevaluated ?? [];
    this.admin = kept
      .filter(p => isAdminKind(p, 'AdminNetworkPolicy'))
      .sort(
        (a, b) =>
          adminPriority(a) - adminPriority(b) || a.name.localeCompare(b.name),
      );
    this.baseline = kept.find(
      p => isAdminKind(p, 'BaselineAdminNetworkPolicy') && p.name === 'default',
    );
  }

  get any(): boolean {
    return this.admin.length > 0 || this.baseline !== undefined;
  }

  /**
   * AdminNetworkPolicies sharing a priority: upstream leaves their order undefined ("If two (or
   * more) policies with the same priority could both match a connection, then the implementation
   * can apply any of the matching policies").
   */
  ties(): P[][] {
    const byPriority = new Map<number, P[]>();
    for (const p of this.admin) {
      const list = byPriority.get(adminPriority(p)) ?? [];
      list.push(p);
      byPriority.set(adminPriority(p), list);
    }
    return [...byPriority.values()].filter(list => list.length > 1);
  }

  /** Forgets what was cached per workload (see EngineContext.releaseWorkloadCaches). */
  releaseCaches(): void {
    this.cache.clear();
  }

  /** The policies whose subject selects the workload and that have rules for the direction. */
  applying(
    workload: SnapshotWorkload,
    nsLabels: Record<string, string>,
    direction: AdminDirection,
  ): AdminPolicies {
    if (!this.any) return NO_POLICIES;
    let hit = this.cache.get(workload);
    if (!hit) {
      const of = (d: AdminDirection): AdminPolicies => {
        const baseline = this.baseline;
        return {
          admin: this.admin.filter(
            p =>
              rulesOf(p, d).length > 0 &&
              adminSubjectSelects(p, workload, nsLabels),
          ),
          ...(baseline &&
          rulesOf(baseline, d).length > 0 &&
          adminSubjectSelects(baseline, workload, nsLabels)
            ? { baseline }
            : {}),
        };
      };
      hit = { ingress: of('ingress'), egress: of('egress') };
      this.cache.set(workload, hit);
    }
    return hit[direction];
  }
}

/** The first rule of a list of policies that matches a connection. */
type AdminDecision =
  | { kind: 'none' }
  | {
      kind: 'action';
      action: 'Allow' | 'Deny' | 'Pass';
      policy: P;
      rule: string;
      why?: string;
    }
  /** A rule the engine cannot match against this peer: the answer fails closed. */
  | { kind: 'unknown'; policy: P; rule: string; why: string };

const ruleName = (rule: Json, direction: AdminDirection, i: number) =>
  typeof rule.name === 'string' && rule.name
    ? `${direction} rule "${rule.name}"`
    : `${direction}[${i}]`;

/**
 * `ports` of a rule (AdminNetworkPolicyPort): `portNumber`, `namedPort` (resolved against the
 * destination pod's container ports) or `portRange`; protocols default to TCP; no `ports`
 * matches every port.
 */
function portsMatch(
  ports: unknown,
  port: number,
  protocol: string,
  destPorts: ContainerPort[],
): boolean {
  if (!Array.isArray(ports)) return true;
  return ports.some(entry => {
    if (!isObject(entry)) return false;
    if (isObject(entry.portNumber)) {
      const n = entry.portNumber;
      return (
        protocolOf(n as { protocol?: string }) === protocol && n.port === port
      );
    }
    if (typeof entry.namedPort === 'string')
      return destPorts.some(
        c =>
          c.name === entry.namedPort &&
          c.port === port &&
          protocolOf(c) === protocol,
      );
    if (isObject(entry.portRange)) {
      const r = entry.portRange;
      return (
        protocolOf(r as { protocol?: string }) === protocol &&
        typeof r.start === 'number' &&
        typeof r.end === 'number' &&
        port >= r.start &&
        port <= r.end
      );
    }
    return false;
  });
}

/** `namespaces` / `pods` peers: pods of selected namespaces, never host-networked ones. */
function podPeerMatches(
  namespaces: LabelSelector,
  pods: LabelSelector | undefined,
  e: PeerEndpoint,
): Tri {
  if (e.kind === 'external' || e.hostNetwork) return 'no';
  let answer: Tri = 'yes';
  if (e.group?.namespaceUnknown) {
    if (!selectorIsEmpty(namespaces)) answer = unknownForGroup(e);
  } else if (!selectorMatches(namespaces, e.nsLabels)) return 'no';
  if (pods === undefined || selectorIsEmpty(pods)) return answer;
  if (e.group) return unknownForGroup(e);
  return selectorMatches(pods, e.labels) ? answer : 'no';
}

/**
 * One peer against the other end of the connection: `yes`, `no`, `unknown` (with why), or
 * `invalid` for a peer with none of the fields the engine knows (upstream: fail closed).
 */
function peerMatches(
  peer: unknown,
  e: PeerEndpoint,
): { match: Tri | 'invalid'; why?: string } {
  if (!isObject(peer)) return { match: 'invalid' };
  if (isObject(peer.namespaces))
    return {
      match: podPeerMatches(peer.namespaces as LabelSelector, undefined, e),
    };
  if (isObject(peer.pods)) {
    const pods = peer.pods;
    return {
      match: podPeerMatches(
        (pods.namespaceSelector ?? {}) as LabelSelector,
        (pods.podSelector ?? {}) as LabelSelector,
        e,
      ),
    };
  }
  if (isObject(peer.nodes)) {
    // Nodes select node IPs: a pod on the pod network never has one; a host-networked pod has
    // its node's, whose labels the engine does not read.
    if (e.kind === 'pod' && !e.hostNetwork) return { match: 'no' };
    return {
      match: 'unknown',
      why: 'a nodes peer against a host-networked pod (node labels are not read)',
    };
  }
  if (Array.isArray(peer.networks)) {
    // Cluster-internal traffic is checked against networks as well (API reference, `networks`).
    const cidrs = peer.networks.map(String);
    if (cidrs.includes('0.0.0.0/0') && cidrs.includes('::/0'))
      return { match: 'yes' };
    const ips = e.ips ?? [];
    const inside = ips.map(ip => {
      const each = cidrs.map(c => cidrContains(c, ip));
      if (each.some(x => x === true)) return true;
      return each.some(x => x === undefined) ? undefined : false;
    });
    if (ips.length > 0 && inside.every(x => x === true))
      return { match: 'yes' };
    if (ips.length > 0 && inside.every(x => x === false))
      return { match: 'no' };
    return {
      match: 'unknown',
      why: `networks ${cidrs.join(', ')} against pods whose addresses ${
        ips.length === 0 ? 'are unknown' : 'it only partly covers'
      }`,
    };
  }
  if (Array.isArray(peer.domainNames))
    return {
      match: 'unknown',
      why: `domainNames ${peer.domainNames
        .map(String)
        .join(', ')} (what a name resolves to is not known)`,
    };
  return { match: 'invalid' };
}

/**
 * The first rule of `policies` (in order) matching the connection to `peer` on `port` of the
 * destination pod (its `destPorts`); a rule the engine cannot match stops the walk: what follows
 * cannot be known to apply.
 */
export function firstMatchingRule(
  policies: P[],
  direction: AdminDirection,
  peer: PeerEndpoint,
  port: number,
  protocol: string,
  destPorts: ContainerPort[],
): AdminDecision {
  const peersKey = direction === 'ingress' ? 'from' : 'to';
  for (const policy of policies) {
    const rules = rulesOf(policy, direction);
    for (let i = 0; i < rules.length; i++) {
      const rule = isObject(rules[i]) ? (rules[i] as Json) : {};
      const action = rule.action;
      if (action !== 'Allow' && action !== 'Deny' && action !== 'Pass')
        continue;
      const name = ruleName(rule, direction, i);
      const peers = Array.isArray(rule[peersKey])
        ? (rule[peersKey] as unknown[])
        : [];
      const answers = peers.map(p => peerMatches(p, peer));
      if (action !== 'Allow' && answers.some(a => a.match === 'invalid'))
        return {
          kind: 'action',
          action: 'Deny',
          policy,
          rule: name,
          why: 'a peer of an unknown kind (fails closed: denies everything)',
        };
      if (!portsMatch(rule.ports, port, protocol, destPorts)) continue;
      if (answers.some(a => a.match === 'yes'))
        return { kind: 'action', action, policy, rule: name };
      const unknown = answers.find(a => a.match === 'unknown');
      if (unknown)
        return {
          kind: 'unknown',
          policy,
          rule: name,
          why: unknown.why ?? 'the peer is not known for a caller group',
        };
    }
  }
  return { kind: 'none' };
}
