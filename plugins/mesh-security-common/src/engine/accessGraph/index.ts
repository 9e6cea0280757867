import {
  AccessEdge,
  AccessSource,
  ExternalWorkloadPeer,
  ExternalWorkloadSource,
  NetworkPeer,
  PeerExclusion,
  SnapshotWorkload,
  WorkloadRef,
  isWorkloadPeer,
} from '../../model';
import { WorkloadNotFoundError } from '../core/access';
import {
  admitsAnyone,
  blockableClients,
  blockedEdge,
  connectionEdge,
  externalEdge,
  nothingBlockable,
} from '../core/callers';
import { externalCaller } from '../core/access';
import { EngineContext } from '../core/context';
import { Answers, BY_MEMBER, DENIED, NO_PEER, PortAccess } from './answers';
import { CalleeBuckets, CalleeIndex, isSelf } from './calleeList';
import { callerList } from './callerList';
import { Templates, workloadPeer } from './edges';
import { portProtocol } from '../core/protocol';
import { finish } from '../core/steps';
import {
  CallerGroup,
  CallerGroups,
  groupKeySteps,
  GroupKeys,
  portNumbers,
  push,
} from './groups';
import {
  externalWorkloadCallers,
  externalWorkloadPeer,
  findExternalWorkload,
} from '../linkerd/externalWorkload';

/*
 * The access graph of a cluster, without enumerating workload pairs (docs/engine.md, "Access
 * graph"). With no AuthorizationPolicy — Istio's default and the most common estate — every
 * meshed workload may call every other one, so a graph of workload pairs grows with n² (2,000
 * workloads: 16.7 s and 1.3 GB; docs/benchmarks.md). Callers are asked per group (groups.ts),
 * answers kept per target port as vectors shared by ports that answer alike (answers.ts), and
 * lists presented with summary peers (callerList.ts, calleeList.ts).
 */

/**
 * The access graph of one snapshot: callers and callees of every workload, computed per caller
 * group. Build it in slices with {@link AccessGraph.buildStep} (off the request path); until it
 * is complete, queries compute what they need.
 *
 * @public
 */
export interface AccessGraph {
  /** Who may call the workload, per port (all its ports, or one). */
  callersOf(ref: WorkloadRef, port?: number): AccessEdge[];
  /** Whom the workload may call. */
  calleesOf(ref: WorkloadRef): AccessEdge[];
  /**
   * Who is meant to call the workload but is rejected (docs/engine.md, "Blocked edges"): each
   * edge carries `blocked`. Never part of {@link AccessGraph.callersOf}.
   */
  blockedCallersOf(ref: WorkloadRef): AccessEdge[];
  /**
   * The one connection from a workload (a plaintext client outside the cluster, or a Linkerd
   * ExternalWorkload) to a port of the target, evaluated for that pair alone; undefined when
   * every request is denied.
   */
  connection(
    from: AccessSource,
    to: WorkloadRef,
    port: number,
  ): AccessEdge | undefined;
  /** Evaluates further targets for about `budgetMs`; true once every target is evaluated. */
  buildStep(budgetMs: number): boolean;
  /** Whether every target is evaluated. */
  readonly complete: boolean;
  /** Sizes, for the benchmarks. */
  stats(): AccessGraphStats;
}

/**
 * Sizes of an {@link AccessGraph}.
 *
 * @public
 */
export interface AccessGraphStats {
  /** Caller groups (workloads every policy reading a client sees alike). */
  groups: number;
  /** Targets evaluated so far. */
  targets: number;
  /** Distinct answer vectors kept (shared by the target ports that answer alike). */
  vectors: number;
  /** Answers kept for single members (callers some policy names on its own). */
  memberEdges: number;
  /** Distinct edges apart from peer and port. */
  templates: number;
  /** Distinct blocked-callers lists of target ports kept (shared by the targets they fit). */
  blockedLists: number;
}

/**
 * A workload's key, kept per workload object: a workload read as before keeps its object from
 * one snapshot to the next, and each graph carried over compares and looks up every workload by
 * key (a string built anew each time was most of what a carry-over allocated).
 */
const workloadKeys = new WeakMap<SnapshotWorkload, string>();
const keyOf = (w: SnapshotWorkload): string => {
  let key = workloadKeys.get(w);
  if (key === undefined)
    workloadKeys.set(w, (key = `${w.namespace}/${w.kind}/${w.name}`));
  return key;
};

/**
 * How many blocked-callers lists a complete graph computes before its context forgets what it
 * kept for them (see `blockedCallersOf`).
 */
const FORGET_EVERY = 200;

/** The blocked-callers list of every target that has none (most of them). */
const NONE_BLOCKED: AccessEdge[] = [];

/** Lists by key, up to a number of edges in all (then the oldest half is dropped). */
class BoundedLists {
  private readonly lists = new Map<string, AccessEdge[]>();
  private edges = 0;

  constructor(private readonly maxEdges: number) {}

  get size(): number {
    return this.lists.size;
  }

  get(key: string, compute: () => AccessEdge[]): AccessEdge[] {
    let list = this.lists.get(key);
    if (!list) {
      list = compute();
      if (this.edges + list.length > this.maxEdges) this.evict();
      this.lists.set(key, list);
      this.edges += list.length;
    }
    return list;
  }

  /** Takes the lists of `from` whose keys `keep` accepts (a graph's carry-over). */
  carry(from: BoundedLists, keep: (key: string) => boolean): void {
    for (const [key, list] of from.lists) {
      if (!keep(key) || this.lists.has(key)) continue;
      if (this.edges + list.length > this.maxEdges) return;
      this.lists.set(key, list);
      this.edges += list.length;
    }
  }

  private evict(): void {
    let drop = Math.ceil(this.lists.size / 2);
    for (const [key, list] of this.lists) {
      if (drop-- <= 0) break;
      this.lists.delete(key);
      this.edges -= list.length;
    }
  }
}

class GroupedAccessGraph implements AccessGraph {
  private readonly groups: CallerGroups;
  private readonly templates = new Templates();
  private readonly answers: Answers;
  private readonly callees: CalleeIndex;
  private readonly access = new Map<SnapshotWorkload, PortAccess[]>();
  /** Callee answers of members of BY_MEMBER groups: [target, port, template]. */
  private readonly memberCallees = new Map<
    SnapshotWorkload,
    Array<[SnapshotWorkload, number, number]>
  >();
  private memberEdges = 0;
  private cursor = 0;
  private released = false;

  /** The caller-group key of each workload's evaluation (reused by the next snapshot's graph). */
  get groupKeys(): GroupKeys {
    return this.groups.keys;
  }

  /** What the graph took from the graph it was carried over from (see {@link carryOutcome}). */
  carried?: CarryOutcome;

  constructor(private readonly ctx: EngineContext, groupKeys?: GroupKeys) {
    this.groups = new CallerGroups(ctx, groupKeys);
    this.answers = new Answers(ctx, this.groups, this.templates);
    this.callees = new CalleeIndex(ctx, this.groups, this.templates);
  }

  /**
   * Takes the answers of every target outside the change from the graph of the previous
   * snapshot (docs/engine.md "Access graph", carry-over); the targets in the change are left to
   * {@link AccessGraph.buildStep} and queries, as in a graph built from scratch. Whatever is
   * derived from all the answers (callee vectors and totals, shared lists) is not carried: it
   * is rebuilt from the answers. When the change may touch every target — every workload
   * re-evaluated, a caller's identity changed, the caller groups differ — nothing is taken.
   * A step per target taken (see `applySteps`); `previous` may answer queries between the
   * steps (answers it adds meanwhile are taken too).
   */
  *carrySteps(
    previous: AccessGraph,
    change: GraphChange,
  ): Generator<void, void, void> {
    const refused = this.refusal(previous, change);
    if (refused) {
      this.carried = { carried: 0, fallback: refused };
      return;
    }
    const from = previous as GroupedAccessGraph;
    // The groups hold every workload, in the same order under the same keys. (A loop: a pair
    // per workload to build the map was garbage that outlived the steps, copied by collections.)
    const byKey = new Map<string, SnapshotWorkload>();
    for (const w of this.ctx.snapshot.workloads) byKey.set(keyOf(w), w);
    const inScope = new Set(change.workloads);
    // The previous graph's templates first, in its order, so that their ids stay the same and a
    // target's answers can be kept as they are (below).
    if (this.templates.size === 0)
      for (let id = 0; id < from.templates.size; id++)
        this.templates.idOf(from.templates.get(id));
    const templates = new Map<number, number>();
    const template = (id: number): number => {
      if (id < 0) return id;
      let carried = templates.get(id);
      if (carried === undefined)
        templates.set(
          id,
          (carried = this.templates.idOf(from.templates.get(id))),
        );
      return carried;
    };
    const vectors = new Map<Int32Array, Int32Array>();
    const vector = (groups: Int32Array): Int32Array => {
      let carried = vectors.get(groups);
      if (!carried)
        vectors.set(
          groups,
          (carried = this.answers.adopt(
            groups.every(id => template(id) === id)
              ? groups
              : groups.map(template),
          )),
        );
      return carried;
    };
    // Answers that carry over unchanged (the same ids, vectors and member objects) are kept as
    // they are: copying every target's answers on every change was the largest allocation of a
    // churning cluster, and what a young-generation collection copies (docs/benchmarks.md).
    // (Loops: this runs for every target of every change, and allocates nothing.)
    const sameIds = (list?: ReadonlyArray<readonly [unknown, number]>) => {
      if (list)
        for (const [, id] of list) if (template(id) !== id) return false;
      return true;
    };
    const unchanged = (p: PortAccess): boolean => {
      if (vector(p.groups) !== p.groups || template(p.external) !== p.external)
        return false;
      for (const [member] of p.members)
        if (byKey.get(keyOf(member)) !== member) return false;
      return (
        sameIds(p.members) &&
        sameIds(p.networks) &&
        sameIds(p.externalWorkloads)
      );
    };
    let carried = 0;
    let kept = 0;
    // By key, then `get`: an entry pair per target made per generation would outlive the steps.
    for (const old of from.access.keys()) {
      const ports = from.access.get(old)!;
      const key = keyOf(old);
      if (inScope.has(key)) continue;
      const target = byKey.get(key)!;
      if (target === old && ports.every(unchanged)) {
        this.adopt(target, ports);
        carried++;
        kept++;
        yield;
        continue;
      }
      this.adopt(
        target,
        ports.map(p => ({
          port: p.port,
          groups: vector(p.groups),
          members: p.members.map(([member, id]): [SnapshotWorkload, number] => [
            byKey.get(keyOf(member))!,
            template(id),
          ]),
          external: template(p.external),
          ...(p.networks
            ? {
                networks: p.networks.map(
                  ([peer, id]): [NetworkPeer, number] => [peer, template(id)],
                ),
              }
            : {}),
          ...(p.externalWorkloads
            ? {
                externalWorkloads: p.externalWorkloads.map(
                  ([peer, id]): [ExternalWorkloadPeer, number] => [
                    peer,
                    template(id),
                  ],
                ),
              }
            : {}),
        })),
      );
      carried++;
      yield;
    }
    // A target's blocked callers depend on its policies and on the callers' groups and
    // identities, as its answers do: those of targets outside the change carry over too.
    this.blockedOf.carry(
      from.blockedOf,
      key => !inScope.has(key) && byKey.has(key),
    );
    this.carried = { carried, kept };
  }

  /** Why nothing can be carried over from `previous` (undefined: its answers carry over). */
  private refusal(
    previous: AccessGraph,
    change: GraphChange,
  ): string | undefined {
    if (!(previous instanceof GroupedAccessGraph))
      return 'the previous graph is not a grouped access graph';
    if (change.all) return 'every workload was re-evaluated';
    if (change.sourcesChanged)
      return "a workload's identity as a caller changed";
    if (previous.ctx.options.cluster !== this.ctx.options.cluster)
      return 'the previous graph is of another cluster';
    return groupsDiffer(previous.groups, this.groups);
  }

  get complete(): boolean {
    return this.cursor >= this.ctx.snapshot.workloads.length;
  }

  stats(): AccessGraphStats {
    return {
      groups: this.groups.all.length,
      targets: this.access.size,
      vectors: this.answers.distinctVectors,
      memberEdges: this.memberEdges,
      templates: this.templates.size,
      blockedLists: this.blockedLists.size,
    };
  }

  buildStep(budgetMs: number): boolean {
    const workloads = this.ctx.snapshot.workloads;
    const deadline = Date.now() + budgetMs;
    while (this.cursor < workloads.length) {
      this.portAccess(workloads[this.cursor++]);
      if (Date.now() >= deadline) break;
    }
    if (this.complete && !this.released) {
      // What callee lists read, prepared once so that no query is the first to pay for it; then
      // the context forgets what it computed per workload (the answers are all here).
      this.callees.vectors(this.access);
      this.callees.totals(this.access);
      this.ctx.releaseWorkloadCaches();
      this.released = true;
    }
    return this.complete;
  }

  callersOf(ref: WorkloadRef, port?: number): AccessEdge[] {
    const target = this.find(ref);
    const ports = this.portAccess(target).filter(
      p => port === undefined || p.port === port,
    );
    if (port !== undefined && ports.length === 0)
      ports.push(this.answers.port(this.ctx.info(target), port));
    return this.withProtocol(
      ports.flatMap(p => asSeenBy(this.callerEdges(target, p), target)),
      () => target,
    );
  }

  /**
   * Edges with the receiving port's protocol (core/protocol.ts): the target's, or on a callee
   * edge its workload peer's (a summary peer's workloads may differ: none); and `platform` when
   * the peer belongs to a platform namespace.
   */
  private withProtocol(
    edges: AccessEdge[],
    targetOf: (edge: AccessEdge) => SnapshotWorkload | undefined,
  ): AccessEdge[] {
    const platform = this.ctx.options.platformNamespaces;
    return edges.map(edge => {
      const target = targetOf(edge);
      const peer = edge.peer as { kind: string; namespace?: string };
      // docs/engine.md "Platform peers": a peer of a platform namespace (one workload, or the
      // namespace summary) is marked, for graphs and tables to group.
      const isPlatform =
        (isWorkloadPeer(edge.peer) || peer.kind === 'namespace') &&
        peer.namespace !== undefined &&
        platform.has(peer.namespace);
      if (!target && !isPlatform) return edge;
      return {
        ...edge,
        ...(target
          ? {
              protocol: portProtocol(
                target,
                edge.port,
                this.ctx.snapshot.services,
                this.ctx.namespaces.get(target.namespace),
                this.ctx.meshOf(target) === 'linkerd'
                  ? this.ctx.linkerd.defaultOpaquePorts
                  : undefined,
              ),
            }
          : {}),
        ...(isPlatform ? { platform: true as const } : {}),
      };
    });
  }

  /**
   * A caller list depends on the target only through its group (the summaries' counts leave
   * out its own group's member) and its port's answers: targets that share both share one list
   * (kept up to a bound; docs/benchmarks.md, allow-all estate).
   */
  private callerEdges(
    target: SnapshotWorkload,
    access: PortAccess,
  ): AccessEdge[] {
    const compute = () =>
      callerList(
        this.ctx.options.cluster,
        this.groups,
        this.templates,
        target,
        access,
      );
    if (
      access.members.length > 0 ||
      access.networks ||
      access.externalWorkloads
    )
      return compute();
    const key = `${this.vectorId(access.groups)}|${access.external}|${
      this.groups.of(target).index
    }|${access.port}`;
    return this.lists.get(key, compute);
  }

  private readonly vectorIds = new WeakMap<Int32Array, number>();

  private vectorId(vector: Int32Array): number {
    let id = this.vectorIds.get(vector);
    if (id === undefined) this.vectorIds.set(vector, (id = this.vectorCount++));
    return id;
  }

  private vectorCount = 0;
  /** Caller and callee lists shared by the workloads they are the same for. */
  private readonly lists = new BoundedLists(50_000);

  calleesOf(ref: WorkloadRef): AccessEdge[] {
    return this.withProtocol(this.calleeEdges(ref), edge =>
      isWorkloadPeer(edge.peer) ? this.ctx.find(edge.peer) : undefined,
    );
  }

  private calleeEdges(ref: WorkloadRef): AccessEdge[] {
    const caller = this.find(ref);
    const group = this.groups.of(caller);
    const buckets = new CalleeBuckets();
    const add = (target: SnapshotWorkload, port: number, template: number) =>
      buckets.addTarget(
        target,
        port,
        this.callees.key(template),
        this.callees.scopesOf(target),
      );
    if (this.complete && !this.memberCallees.has(caller)) {
      // Members of a group whose own ports answer alike see the same list, but for themselves.
      const own = (this.access.get(caller) ?? [])
        .map(p => `${p.port}:${p.groups[group.index]}`)
        .join(',');
      return this.lists
        .get(`callees|${group.index}|${own}`, () =>
          this.callees.listFor(
            caller,
            this.portsOf(caller),
            this.completeBuckets(caller, group),
          ),
        )
        .filter(e => !isSelf(e, caller));
    }
    if (this.complete) {
      // Targets that answer alike share a vector: one look per vector, not per target.
      for (const vector of this.callees.vectors(this.access)) {
        const answer = vector.groups[group.index];
        if (answer >= 0) buckets.addVector(vector, this.callees.key(answer));
      }
      for (const [target, port, template] of this.memberCallees.get(caller) ??
        [])
        add(target, port, template);
      // A workload is never its own callee.
      for (const p of this.access.get(caller) ?? []) {
        const answer = p.groups[group.index];
        if (answer >= 0)
          buckets.remove(
            p.port,
            this.callees.key(answer),
            this.callees.scopesOf(caller),
          );
      }
    } else {
      // Not built yet: ask every target for this caller's group (and the caller where needed).
      for (const target of this.ctx.snapshot.workloads) {
        if (target === caller) continue;
        const info = this.ctx.info(target);
        const policies = this.answers.policiesOf(info);
        for (const port of portNumbers(info)) {
          const known = this.access.get(target)?.find(a => a.port === port);
          let answer = known
            ? known.groups[group.index]
            : this.answers.group(info, group, port, policies);
          if (answer === BY_MEMBER)
            answer = this.answers.member(info, caller, port, policies);
          if (answer !== DENIED) add(target, port, answer);
        }
      }
    }
    return this.callees.list(caller, this.portsOf(caller), buckets);
  }

  /** The callee buckets of a caller without single-member answers, from the whole graph. */
  private completeBuckets(
    caller: SnapshotWorkload,
    group: CallerGroup,
  ): CalleeBuckets {
    const buckets = new CalleeBuckets();
    for (const vector of this.callees.vectors(this.access)) {
      const answer = vector.groups[group.index];
      if (answer >= 0) buckets.addVector(vector, this.callees.key(answer));
    }
    for (const p of this.access.get(caller) ?? []) {
      const answer = p.groups[group.index];
      if (answer >= 0)
        buckets.remove(
          p.port,
          this.callees.key(answer),
          this.callees.scopesOf(caller),
        );
    }
    return buckets;
  }

  /** Templates of blocked edges (kept apart: no allowed answer ever names one). */
  private readonly blockedTemplates = new Templates();

  blockedCallersOf(ref: WorkloadRef): AccessEdge[] {
    const w = this.find(ref);
    const list = this.blockedOf.get(keyOf(w), () => {
      this.sinceForgotten++;
      const target = this.ctx.info(w);
      const policies = this.answers.policiesOf(target);
      // Most workloads of most estates: nothing to ask each caller group.
      if (nothingBlockable(this.ctx, target, policies)) return NONE_BLOCKED;
      // Where the ALLOW rules name their clients, only the groups and members named are asked.
      const clients = blockableClients(this.ctx, target, policies);
      const templates = this.blockedTemplates;
      const answer = (edge: AccessEdge | undefined) =>
        edge ? templates.id(edge) : DENIED;
      const edges = portNumbers(target).flatMap(port => {
        const groups = new Int32Array(this.groups.all.length).fill(DENIED);
        const members: PortAccess['members'] = [];
        // A port that admits anyone blocks no one: no group is asked.
        const open = admitsAnyone(this.ctx, target, port, policies);
        for (const group of open ? [] : this.groups.all) {
          if (clients && !clients.has(group.namespace)) continue;
          const accounts = clients?.get(group.namespace);
          group.flags.consulted = false;
          const edge = blockedEdge(
            this.ctx,
            target,
            group.contexts,
            port,
            policies,
            NO_PEER,
          );
          if (!group.flags.consulted) {
            groups[group.index] = answer(edge);
            continue;
          }
          // The group's policies tell its members apart: each is asked on its own — the target
          // too, so that its group's other members share the list (each drops itself per query).
          for (const member of group.members) {
            if (accounts && !accounts.has(member.serviceAccount)) continue;
            const id = answer(
              blockedEdge(
                this.ctx,
                target,
                this.groups.memberContexts(member),
                port,
                policies,
                NO_PEER,
              ),
            );
            if (id !== DENIED) members.push([member, id]);
          }
        }
        const external = open
          ? DENIED
          : answer(
              blockedEdge(
                this.ctx,
                target,
                { plain: externalCaller() },
                port,
                policies,
                { kind: 'external-plaintext' },
              ),
            );
        return this.sharedBlocked(w, { port, groups, members, external });
      });
      return edges.length > 0 ? edges : NONE_BLOCKED;
    });
    // Once the graph is complete its context keeps nothing per workload (`buildStep`), but a
    // list computed since fills it again: each workload's blocked callers, asked on its first
    // view, left its info and its layers' caches there for the rest of the generation — once
    // every entity was viewed, half as much memory again as the rest of the view
    // (docs/benchmarks.md, "Memory per pod"). Forgotten every FORGET_EVERY lists: forgetting
    // after each would compute a namespace's callers' infos again per target (twice the time).
    if (this.released && this.sinceForgotten >= FORGET_EVERY) {
      this.ctx.releaseWorkloadCaches();
      this.sinceForgotten = 0;
    }
    // As a caller list: itself dropped, and the port's protocol, per query (the list is shared).
    if (list.length === 0) return [];
    return this.withProtocol(asSeenBy(list, w), () => w);
  }

  /**
   * A target port's blocked callers, shared by the targets whose list is the same: as a caller
   * list (`callerEdges`), it depends on the target only through its group and its port's
   * answers, so it is kept by them. A list per target, each edge with its own copy of the
   * template, was a third of the memory a replica keeps per pod once every entity was viewed
   * (docs/benchmarks.md, "Memory per pod"); the target keeps only the references.
   */
  private sharedBlocked(
    target: SnapshotWorkload,
    access: PortAccess,
  ): AccessEdge[] {
    let key = `${access.port}|${this.groups.of(target).index}|${
      access.external
    }|`;
    access.groups.forEach((answer, group) => {
      if (answer >= 0) key += `${group}:${answer},`;
    });
    key += '|';
    for (const [member, answer] of access.members)
      key += `${keyOf(member)}:${answer},`;
    return this.blockedLists.get(key, () =>
      callerList(
        this.ctx.options.cluster,
        this.groups,
        this.blockedTemplates,
        target,
        access,
      ),
    );
  }

  /**
   * Each target's blocked callers (by workload key): references to the shared lists of its
   * ports (`blockedLists`). Apart, so that either bound holds however the other is evicted.
   */
  private readonly blockedOf = new BoundedLists(50_000);
  /** Blocked-callers lists of target ports, shared (see `sharedBlocked`). */
  private readonly blockedLists = new BoundedLists(50_000);

  /** Blocked-callers lists computed since the context last forgot its caches. */
  private sinceForgotten = 0;

  connection(
    from: AccessSource,
    to: WorkloadRef,
    port: number,
  ): AccessEdge | undefined {
    const target = this.ctx.info(this.find(to));
    const policies = this.answers.policiesOf(target);
    if (from.kind === 'external-workload') {
      const workload = findExternalWorkload(
        this.ctx.snapshot,
        from as ExternalWorkloadSource,
      );
      if (!workload)
        throw new WorkloadNotFoundError(
          `ExternalWorkload ${from.namespace}/${from.name} is not in the snapshot`,
        );
      const edge = connectionEdge(
        this.ctx,
        target,
        externalWorkloadCallers(workload),
        port,
        policies,
        externalWorkloadPeer(workload),
      );
      return edge && this.withProtocol([edge], () => target.w)[0];
    }
    const edge =
      'namespace' in from
        ? connectionEdge(
            this.ctx,
            target,
            this.groups.memberContexts(this.find(from)),
            port,
            policies,
            workloadPeer(this.ctx.options.cluster, this.find(from)),
          )
        : externalEdge(this.ctx, target, port, policies);
    return edge && this.withProtocol([edge], () => target.w)[0];
  }

  /** A workload's port numbers, from the graph when evaluated (no per-workload info kept). */
  private portsOf(w: SnapshotWorkload): number[] {
    const ports = this.access.get(w);
    return ports ? ports.map(p => p.port) : portNumbers(this.ctx.info(w));
  }

  private find(ref: WorkloadRef): SnapshotWorkload {
    const w = this.ctx.find(ref);
    if (!w)
      throw new WorkloadNotFoundError(
        `workload ${ref.namespace}/${ref.name} is not in the snapshot`,
      );
    return w;
  }

  private portAccess(target: SnapshotWorkload): PortAccess[] {
    let ports = this.access.get(target);
    if (!ports) {
      const info = this.ctx.info(target);
      ports = portNumbers(info).map(port => this.answers.port(info, port));
      this.adopt(target, ports);
    }
    return ports;
  }

  /** Keeps a target's answers (computed, or carried over). */
  private adopt(target: SnapshotWorkload, ports: PortAccess[]): void {
    this.access.set(target, ports);
    for (const p of ports) {
      for (const [member, template] of p.members) {
        push(this.memberCallees, member, [target, p.port, template]);
        this.memberEdges++;
      }
    }
  }
}

/**
 * A shared caller list as one target sees it: never itself, neither as a peer nor among a
 * summary's exclusions (the summary's count already leaves it out).
 */
function asSeenBy(edges: AccessEdge[], self: SnapshotWorkload): AccessEdge[] {
  const out: AccessEdge[] = [];
  for (const edge of edges) {
    if (isSelf(edge, self)) continue;
    const except = (edge.peer as { except?: PeerExclusion[] }).except;
    const isOwn = (x: PeerExclusion) =>
      x.name === self.name &&
      x.namespace === self.namespace &&
      x.kind === self.kind;
    if (!except?.some(isOwn)) {
      out.push(edge);
      continue;
    }
    const rest = except.filter(x => !isOwn(x));
    const peer = { ...edge.peer } as { except?: PeerExclusion[] };
    if (rest.length > 0) peer.except = rest;
    else delete peer.except;
    out.push({ ...edge, peer: peer as AccessEdge['peer'] });
  }
  return out;
}

/**
 * Why two snapshots' caller groups differ (undefined when they are the same groups, in the
 * same order, of the same workloads): answers are vectors over the groups, so they carry over
 * only between equal groups and classes.
 */
function groupsDiffer(a: CallerGroups, b: CallerGroups): string | undefined {
  if (a.all.length !== b.all.length)
    return `the caller groups changed (${a.all.length} groups, now ${b.all.length})`;
  for (let i = 0; i < a.all.length; i++) {
    const [x, y] = [a.all[i], b.all[i]];
    if (
      x.key !== y.key ||
      x.members.length !== y.members.length ||
      x.members.some(
        (m, j) => m !== y.members[j] && keyOf(m) !== keyOf(y.members[j]),
      )
    )
      return `the caller groups changed (group ${i}, namespace ${y.namespace})`;
  }
  const classes = (g: CallerGroups) =>
    g.classes.map(c => c.map(x => x.index).join(',')).join(';');
  if (classes(a) !== classes(b)) return 'the caller group classes changed';
  return undefined;
}

/**
 * What changed since the snapshot of the graph a new one is carried over from: an
 * `IncrementalEvaluator.apply` result (`ChangeScope`, engine/incremental.ts) is one.
 */
export interface GraphChange {
  /** Every workload was re-evaluated (nothing is carried). */
  all: boolean;
  /**
   * Keys (`namespace/kind/name`) of the workloads re-evaluated, added or removed: their answers
   * as targets are recomputed.
   */
  workloads: string[];
  /** A workload's identity as a caller changed (nothing is carried). */
  sourcesChanged: boolean;
}

/** The graph of the previous snapshot, and what changed since. */
export interface CarriedGraph {
  previous: AccessGraph;
  scope: GraphChange;
  /**
   * Only pods and pod controllers changed since the previous snapshot (every other object is
   * the same): the caller-group keys of workloads whose evaluation was kept are reused.
   */
  onlyWorkloadsChanged?: boolean;
}

/** What a graph took over: how many targets' answers, or why none (it builds from scratch). */
export interface CarryOutcome {
  carried: number;
  /**
   * Of those, how many were kept as they were, not copied (the same workload objects and
   * answers; see {@link GroupedAccessGraph.carrySteps}).
   */
  kept?: number;
  fallback?: string;
}

/**
 * The access graph of a context; with `carried`, it starts from the previous snapshot's graph
 * and recomputes only the targets of the change ({@link GroupedAccessGraph.carrySteps}). The
 * previous graph is read once, here, and not kept: a chain of snapshots holds one graph.
 */
export function createAccessGraph(
  ctx: EngineContext,
  carried?: CarriedGraph,
): AccessGraph {
  return finish(accessGraphSteps(ctx, carried));
}

/**
 * {@link createAccessGraph} a step at a time (internal: a delta's apply, `applySteps`): a step
 * per workload keyed into its caller group, then per target carried over. Neither the context
 * nor `carried.previous` is changed by the steps, so the previous graph keeps answering between
 * them.
 */
export function* accessGraphSteps(
  ctx: EngineContext,
  carried?: CarriedGraph,
): Generator<void, AccessGraph, void> {
  const reuse =
    carried?.onlyWorkloadsChanged &&
    carried.previous instanceof GroupedAccessGraph
      ? carried.previous.groupKeys
      : undefined;
  const keys = yield* groupKeySteps(ctx, reuse);
  const graph = new GroupedAccessGraph(ctx, keys);
  if (carried) {
    yield;
    yield* graph.carrySteps(carried.previous, carried.scope);
  }
  return graph;
}

/** What a graph carried over (undefined: it was not created from a previous one). */
export function carryOutcome(graph: AccessGraph): CarryOutcome | undefined {
  return graph instanceof GroupedAccessGraph ? graph.carried : undefined;
}
