import {
  AccessEdge,
  ExternalWorkloadPeer,
  NetworkPeer,
  SnapshotWorkload,
} from '../../model';
import { istioServerPolicies, networkCaller } from '../core/access';
import { connectionEdge, externalEdge } from '../core/callers';
import { EngineContext, WorkloadInfo } from '../core/context';
import { EdgeTemplate, Templates } from './edges';
import { CallerGroup, CallerGroups } from './groups';
import { networkCandidates } from './networks';
import {
  externalWorkloadCallers,
  externalWorkloadPeer,
  externalWorkloadsOf,
} from '../linkerd/externalWorkload';

/*
 * Who may call one port of a target, per caller group: one answer vector over the groups,
 * shared by every target port that answers alike (docs/engine.md, "Access graph").
 */

/** A group's answer on a target port: a template id, or one of these. */
export const DENIED = -1;
export const BY_MEMBER = -2;
/** Not answered yet while a port is being evaluated (never stored). */
const PENDING = -3;

/** The answers on one port of a target. */
export interface PortAccess {
  port: number;
  /** Per group (by index): a template id, DENIED or BY_MEMBER. Shared by equal answers. */
  groups: Int32Array;
  /** The members of BY_MEMBER groups that may call, with their template. */
  members: Array<[SnapshotWorkload, number]>;
  /** The template of a plaintext client outside the cluster, or DENIED. */
  external: number;
  /**
   * Clients outside the mesh admitted by their address (docs/engine.md, "Network peers"), with
   * their template; absent when there are none.
   */
  networks?: Array<[NetworkPeer, number]>;
  /**
   * Linkerd ExternalWorkloads that may call (docs/engine.md, "Linkerd ExternalWorkload"), with
   * their template; absent when there are none.
   */
  externalWorkloads?: Array<[ExternalWorkloadPeer, number]>;
}

/** Whether two edges allow the same requests over the same connection. */
function sameTerms(a: EdgeTemplate, b: EdgeTemplate): boolean {
  const terms = (t: EdgeTemplate) =>
    JSON.stringify([
      t.methods,
      t.paths,
      t.operations,
      t.connection,
      t.portMtls,
    ]);
  return terms(a) === terms(b);
}

/** The peer of edges that only give a template (the template drops it). */
export const NO_PEER: AccessEdge['peer'] = { kind: 'external-plaintext' };

type Policies = ReturnType<EngineContext['authz']['forWorkload']>;

export class Answers {
  private readonly vectors = new Map<string, Int32Array>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly groups: CallerGroups,
    private readonly templates: Templates,
  ) {}

  get distinctVectors(): number {
    return this.vectors.size;
  }

  policiesOf(info: WorkloadInfo): Policies {
    return istioServerPolicies(this.ctx, info);
  }

  /** A group's answer: definite for every member, or BY_MEMBER when its policies tell them apart. */
  group(
    target: WorkloadInfo,
    group: CallerGroup,
    port: number,
    policies: Policies,
  ): number {
    group.flags.consulted = false;
    const edge = connectionEdge(
      this.ctx,
      target,
      group.contexts,
      port,
      policies,
      NO_PEER,
    );
    if (group.flags.consulted) return BY_MEMBER;
    return edge ? this.templates.id(edge) : DENIED;
  }

  /** One member's answer. */
  member(
    target: WorkloadInfo,
    member: SnapshotWorkload,
    port: number,
    policies: Policies,
  ): number {
    const edge = connectionEdge(
      this.ctx,
      target,
      this.groups.memberContexts(member),
      port,
      policies,
      NO_PEER,
    );
    return edge ? this.templates.id(edge) : DENIED;
  }

  port(target: WorkloadInfo, port: number): PortAccess {
    const policies = this.policiesOf(target);
    const answers = new Int32Array(this.groups.all.length).fill(PENDING);
    const members: PortAccess['members'] = [];
    // Client-side TLS rules of the target's own namespace and the root namespace are seen by
    // their clients only (exportTo "."): groups there are asked one by one.
    const own = (g: CallerGroup) =>
      g.namespace === target.w.namespace ||
      g.namespace === this.ctx.options.rootNamespace;
    for (const cls of this.groups.classes) {
      const representative = cls.find(g => !own(g));
      if (!representative) continue;
      const contexts = this.groups.classRepresentative(representative);
      contexts.plain.group!.consulted = false;
      const edge = connectionEdge(
        this.ctx,
        target,
        contexts,
        port,
        policies,
        NO_PEER,
      );
      if (contexts.plain.group!.consulted) continue;
      const answer = edge ? this.templates.id(edge) : DENIED;
      for (const g of cls) if (!own(g)) answers[g.index] = answer;
    }
    for (const group of this.groups.all) {
      if (answers[group.index] !== PENDING) continue;
      const answer = this.group(target, group, port, policies);
      answers[group.index] = answer;
      if (answer !== BY_MEMBER) continue;
      for (const member of group.members) {
        if (member === target.w) continue;
        const template = this.member(target, member, port, policies);
        if (template !== DENIED) members.push([member, template]);
      }
    }
    const external = externalEdge(this.ctx, target, port, policies);
    const externalId = external ? this.templates.id(external) : DENIED;
    const networks = this.networks(target, port, policies, externalId);
    const externalWorkloads = this.externalWorkloads(target, port, policies);
    return {
      port,
      groups: this.shared(answers),
      members,
      external: externalId,
      ...(networks.length > 0 ? { networks } : {}),
      ...(externalWorkloads.length > 0 ? { externalWorkloads } : {}),
    };
  }

  /**
   * The ExternalWorkloads that may call a port of a Linkerd target, each asked with its own
   * identity and addresses. A target of another mesh (or none) sees one as any client outside
   * the cluster: the external client's answer covers it.
   */
  externalWorkloads(
    target: WorkloadInfo,
    port: number,
    policies: Policies,
  ): Array<[ExternalWorkloadPeer, number]> {
    if (target.membership.mesh !== 'linkerd') return [];
    const out: Array<[ExternalWorkloadPeer, number]> = [];
    for (const workload of externalWorkloadsOf(this.ctx.snapshot)) {
      const peer = externalWorkloadPeer(workload);
      const edge = connectionEdge(
        this.ctx,
        target,
        externalWorkloadCallers(workload),
        port,
        policies,
        peer,
      );
      if (edge) out.push([peer, this.templates.id(edge)]);
    }
    return out;
  }

  /**
   * The network peers a port admits, each asked as a plaintext client outside the mesh whose
   * address is any of its range; one the external client's answer already covers (anyone, on
   * the same terms) is left out.
   */
  networks(
    target: WorkloadInfo,
    port: number,
    policies: Policies,
    external: number,
  ): Array<[NetworkPeer, number]> {
    const out: Array<[NetworkPeer, number]> = [];
    for (const { peer, range } of networkCandidates(
      this.ctx,
      target,
      port,
      policies,
    )) {
      const edge = connectionEdge(
        this.ctx,
        target,
        { plain: networkCaller(range) },
        port,
        policies,
        peer,
      );
      if (!edge) continue;
      if (external >= 0 && sameTerms(this.templates.get(external), edge))
        continue;
      out.push([peer, this.templates.id(edge)]);
    }
    return out;
  }

  /** An answer vector of another graph's (carried over), shared with equal ones. */
  adopt(answers: Int32Array): Int32Array {
    return this.shared(answers);
  }

  private shared(answers: Int32Array): Int32Array {
    const key = answers.join(',');
    const hit = this.vectors.get(key);
    if (hit) return hit;
    this.vectors.set(key, answers);
    return answers;
  }
}
