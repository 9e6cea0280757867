import {
  AccessEdge,
  EdgeTraffic,
  EdgeTrafficStatus,
  Finding,
  MTLS_MODES,
  MtlsMode,
  OBSERVED_PORT_LIMIT,
  ObservedFlow,
  Peer,
  PortTraffic,
  SnapshotWorkload,
  TrafficObservations,
  UnmatchedTraffic,
  WorkloadRef,
  WorkloadTraffic,
} from '../../model';
import { WorkloadNotFoundError } from '../core/access';
import { AccessGraph } from '../accessGraph';
import { workloadPeer } from '../accessGraph/edges';
import { Family, familyOf, portNumbers } from '../accessGraph/groups';
import { EngineContext, WorkloadInfo } from '../core/context';
import {
  Tally,
  accepted,
  acceptedEvidence,
  evidenceTotal,
  mtlsShare,
  plaintextEvidence,
} from './counts';
import { peerCovers, peerPrecedence, unknownSourceEdge } from './peers';
import type { TrafficJoin } from './api';
import { trafficFindings } from './findings';
import { FlowResolver, ResolvedSource } from './resolve';
import {
  FlowIndex,
  NO_INDEX,
  flowIndexOf,
  mergePositions,
  nameKey,
} from './flowIndex';

/*
 * The join of one cluster's observations with the policy view (docs/traffic.md, "What the
 * engine does with observations"). The flows are grouped by the names of their ends once per
 * observations object (flowIndex.ts), for every generation's join; a question resolves the flows
 * of the workload it asks about (once per join) and reads them with its edges, never workload
 * pairs: a summary peer is matched by asking whether it stands for the flow's source.
 */

/** Port entries in answer order: every port together, the ports, then folded ports by mode. */
function portOrder(key: number | MtlsMode | undefined): number {
  if (key === undefined) return -1;
  if (typeof key === 'number') return key;
  return 65536 + MTLS_MODES.indexOf(key);
}

/** What the entry of the folded ports of mode `mode` stands for. */
function otherPortsOf(
  folded: Map<number, MtlsMode>,
  mode: MtlsMode,
  flows: ObservedFlow[],
): NonNullable<PortTraffic['otherPorts']> {
  let count = 0;
  let lowest = Infinity;
  let highest = -Infinity;
  for (const [port, m] of folded)
    if (m === mode) {
      count++;
      lowest = Math.min(lowest, port);
      highest = Math.max(highest, port);
    }
  const plaintext = new Set<number>();
  for (const f of flows)
    if (
      f.port !== undefined &&
      folded.get(f.port) === mode &&
      plaintextEvidence(f) > 0
    )
      plaintext.add(f.port);
  return { count, lowest, highest, withPlaintext: plaintext.size };
}

/** A bucket of edge traffic: an edge (or a peer on every port), or an unmatched group. */
class Bucket {
  readonly tally: Tally;
  status?: EdgeTrafficStatus;
  reason?: string;
  constructor(readonly portsTold: boolean, listSources = true) {
    this.tally = new Tally(listSources);
  }
}

/** A workload's flows (received or sent), each with its source as resolved when indexed. */
interface FlowEnds {
  flows: ObservedFlow[];
  sources: ResolvedSource[];
}

/** A workload without flows (nothing is ever added to these). */
const NO_FLOWS: FlowEnds = deepFreeze({ flows: [], sources: [] });
const NO_SENT_FLOWS: FlowEnds & { targets: SnapshotWorkload[] } = deepFreeze({
  flows: [],
  sources: [],
  targets: [],
});

/** The named edges of a list without any (never added to). */
const NO_NAMED_EDGES: ReadonlyMap<SnapshotWorkload, number[]> = new Map();
/** No source keys: a port of a workload that received no plaintext lists none. */
const NO_KEYS: ReadonlySet<string> = new Set();

/** How many workload infos a join keeps (a few views' workloads and their peers). */
const INFOS_KEPT = 256;

export class ObservedTraffic implements TrafficJoin {
  readonly usable: boolean;
  private readonly resolver: FlowResolver;
  private readonly index: FlowIndex;
  private unknownCount?: number;
  /**
   * The flows of the workloads asked about, by receiving and by sending workload, each with its
   * ends as resolved (see `received` and `sent`): a view reads them without looking them up.
   */
  private readonly byTarget = new Map<SnapshotWorkload, FlowEnds>();
  private readonly bySource = new Map<
    SnapshotWorkload,
    FlowEnds & { targets: SnapshotWorkload[] }
  >();
  private readonly families = new Map<SnapshotWorkload, Family>();
  /** A workload's mesh as callers see it, computed once per workload of the flows. */
  private readonly family = (w: SnapshotWorkload): Family => {
    let f = this.families.get(w);
    if (f === undefined)
      this.families.set(w, (f = familyOf(this.info(w).membership.mesh)));
    return f;
  };
  /** The traffic of edges without flows, by kind (see `withoutTraffic`). */
  private readonly emptyEdges = [
    new Map<string, EdgeTraffic>(),
    new Map<string, EdgeTraffic>(),
  ];
  /**
   * Whether a mesh's flows to workloads of the snapshot carry ports (docs/traffic.md: what each
   * mesh's metrics tell), per mesh asked about.
   */
  private readonly portedMeshes = new Map<string, boolean>();
  /** The infos asked for lately (see `info`). */
  private readonly infos = new Map<SnapshotWorkload, WorkloadInfo>();
  /** The declared ports of receiving workloads, computed once per workload of the flows. */
  private readonly declaredPorts = new Map<SnapshotWorkload, Set<number>>();
  /**
   * The last answer of `workload`, `callers` and `callees`: an entity view asks each once and its
   * findings ask `workload` and `callers` (with the graph's own list) again; the answers are
   * not modified by callers. One entry each, so nothing accumulates.
   */
  private lastWorkload?: { target: SnapshotWorkload; answer: WorkloadTraffic };
  private lastCallers?: {
    target: SnapshotWorkload;
    edges: AccessEdge[];
    answer: { edges: EdgeTraffic[]; unmatched: UnmatchedTraffic[] };
  };
  private lastCallees?: {
    target: SnapshotWorkload;
    edges: AccessEdge[];
    answer: { edges: EdgeTraffic[]; unmatched: UnmatchedTraffic[] };
  };

  constructor(
    private readonly ctx: EngineContext,
    readonly graph: () => AccessGraph,
    readonly observations: TrafficObservations,
  ) {
    this.usable =
      observations.status === 'ok' || observations.status === 'stale';
    this.resolver = new FlowResolver(ctx);
    // The flows grouped by name, once per observations object: a join is O(1) to make, and
    // each question resolves the flows of the workload it asks about.
    this.index = this.usable ? flowIndexOf(observations) : NO_INDEX;
  }

  /** Flows whose receiving workload is not in the snapshot, counted when first asked. */
  get unknownTargets(): number {
    if (this.unknownCount === undefined) {
      let count = 0;
      for (const { ref, indexes } of this.index.to.values())
        if (!this.resolver.targetOf(ref)) count += indexes.length;
      this.unknownCount = count;
    }
    return this.unknownCount;
  }

  findings(ref: WorkloadRef, callers?: AccessEdge[]): Finding[] {
    if (!this.usable) return [];
    const w = this.find(ref);
    return trafficFindings(
      this,
      {
        kind: w.kind,
        namespace: w.namespace,
        name: w.name,
        cluster: this.ctx.options.cluster,
      },
      this.info(w).membership.pods,
      callers ?? this.graph().callersOf(ref),
    );
  }

  /**
   * The flows a workload received, with their sources. The flows name their receiving workload
   * by namespace and name: they are the first workload's of that name (`EngineContext.find`).
   */
  private received(target: SnapshotWorkload): FlowEnds {
    let ends = this.byTarget.get(target);
    if (ends === undefined) {
      ends = NO_FLOWS;
      const named = this.index.to.get(nameKey(target.namespace, target.name));
      if (named && this.resolver.targetOf(named.ref) === target) {
        const all = this.observations.flows;
        const flows: ObservedFlow[] = [];
        const sources: ResolvedSource[] = [];
        for (const i of named.indexes) {
          const flow = all[i];
          const source = this.resolver.source(flow);
          // A waypoint's hop: its clients' traffic, counted where the waypoint reports it.
          if (source.waypoint) continue;
          flows.push(flow);
          sources.push(source);
        }
        if (flows.length > 0) ends = { flows, sources };
      }
      this.byTarget.set(target, ends);
    }
    return ends;
  }

  /**
   * The flows a workload sent to workloads of the snapshot, in the observations' order: those
   * whose source resolves to it, among the flows naming it or presenting its identity.
   */
  private sent(caller: SnapshotWorkload): FlowEnds & {
    targets: SnapshotWorkload[];
  } {
    let ends = this.bySource.get(caller);
    if (ends === undefined) {
      ends = NO_SENT_FLOWS;
      const identity = this.info(caller).identity;
      const positions = mergePositions(
        this.index.fromName.get(nameKey(caller.namespace, caller.name)) ?? [],
        (identity && this.index.fromIdentity.get(identity)) || [],
      );
      const all = this.observations.flows;
      for (const i of positions) {
        const flow = all[i];
        const from = this.resolver.source(flow);
        if (from.source !== caller) continue;
        const target = this.resolver.target(flow);
        if (!target) continue;
        if (ends === NO_SENT_FLOWS)
          ends = { flows: [], sources: [], targets: [] };
        ends.flows.push(flow);
        ends.sources.push(from);
        ends.targets.push(target);
      }
      this.bySource.set(caller, ends);
    }
    return ends;
  }

  find(ref: WorkloadRef): SnapshotWorkload {
    const w = this.ctx.find(ref);
    if (!w)
      throw new WorkloadNotFoundError(
        `workload ${ref.namespace}/${ref.name} is not in the snapshot`,
      );
    return w;
  }

  /**
   * What the engine knows about a workload. Once a generation's access graph is built its
   * context keeps no infos, and a view asks about its workload's several times (and its peers'):
   * the join keeps the last ones asked, at most {@link INFOS_KEPT}.
   */
  info(w: SnapshotWorkload): WorkloadInfo {
    let info = this.infos.get(w);
    if (info === undefined) {
      if (this.infos.size >= INFOS_KEPT) this.infos.clear();
      info = this.ctx.info(w, false);
      this.infos.set(w, info);
    }
    return info;
  }

  /** Why a workload's inbound traffic is not reported; undefined when a proxy reports it. */
  unobservable(info: WorkloadInfo): string | undefined {
    if (info.membership.unknown)
      return `mesh membership is unknown: ${info.membership.unknown}`;
    if (info.membership.mesh === 'none')
      return 'no mesh proxy receives its traffic, so no metrics report it';
    return undefined;
  }

  /** Whether the metrics of the workload's mesh tell ports apart. */
  portsTold(info: WorkloadInfo, flows: ObservedFlow[]): boolean {
    if (flows.some(f => f.port !== undefined)) return true;
    const family = familyOf(info.membership.mesh);
    return family !== 'none' && this.ported(family);
  }

  private ported(mesh: string): boolean {
    let known = this.portedMeshes.get(mesh);
    if (known === undefined) {
      known = (this.index.ported.get(mesh) ?? []).some(
        ref => this.resolver.targetOf(ref) !== undefined,
      );
      this.portedMeshes.set(mesh, known);
    }
    return known;
  }

  workload(ref: WorkloadRef): WorkloadTraffic | undefined {
    if (!this.usable) return undefined;
    const target = this.find(ref);
    const last = this.lastWorkload;
    if (last && last.target === target) return last.answer;
    const answer = this.workloadOf(target);
    this.lastWorkload = { target, answer };
    return answer;
  }

  private workloadOf(target: SnapshotWorkload): WorkloadTraffic {
    const info = this.info(target);
    const { flows, sources } = this.received(target);
    const told = this.portsTold(info, flows);
    // A port lists its plaintext sources only: the others are counted, without an entry each.
    let plaintextKeys: Set<string> | undefined;
    for (let i = 0; i < flows.length; i++)
      if (plaintextEvidence(flows[i]) > 0)
        (plaintextKeys ??= new Set()).add(sources[i].key);
    const listed = plaintextKeys ?? NO_KEYS;
    const folded = told ? this.foldedPorts(target, flows) : undefined;
    // An entry per port; the folded ports' entries are keyed by their mode.
    const entries = new Map<number | MtlsMode | undefined, Tally>();
    const tally = (port: number | MtlsMode | undefined) => {
      let t = entries.get(port);
      if (!t) entries.set(port, (t = new Tally(listed)));
      return t;
    };
    if (told) for (const port of portNumbers(info)) tally(port);
    else tally(undefined);
    for (let i = 0; i < flows.length; i++) {
      const f = flows[i];
      const port = f.port;
      tally(folded && port !== undefined ? folded.get(port) ?? port : port).add(
        sources[i].key,
        sources[i].described,
        f,
      );
    }
    const ports: PortTraffic[] = [...entries]
      .sort(([a], [b]) => portOrder(a) - portOrder(b))
      .map(([port, t]) => {
        const plaintext = t.top(
          s => s.evidence.plaintext,
          s => s.evidence.plaintext > 0,
        );
        // Built field by field, in the order answers list them: object spreads on this path
        // cost microseconds each on Node 20 (docs/benchmarks.md, "Observed traffic").
        const entry = {} as PortTraffic;
        if (typeof port === 'number') entry.port = port;
        else if (port !== undefined)
          entry.otherPorts = otherPortsOf(folded!, port, flows);
        if (port === undefined) entry.mtls = info.mtls;
        else if (typeof port === 'number')
          entry.mtls = this.ctx.portMode(info, port).mtls;
        else entry.mtls = port;
        entry.recent = t.recent;
        entry.evidence = t.evidence;
        entry.mtlsShare = {
          recent: mtlsShare(t.recent),
          evidence: mtlsShare(t.evidence),
        };
        entry.plaintextSources = plaintext.list;
        entry.plaintextSourceCount = plaintext.count;
        entry.sourceCount = t.sourceCount;
        if (t.lastSeen) entry.lastSeen = t.lastSeen;
        return entry;
      });
    const reason = this.unobservable(info);
    const traffic = { observable: reason === undefined } as WorkloadTraffic;
    if (reason) traffic.reason = reason;
    traffic.portsTold = told;
    traffic.ports = ports;
    return traffic;
  }

  /**
   * The ports traffic was seen on that `target` does not declare beyond the
   * {@link OBSERVED_PORT_LIMIT} with the most traffic in the evidence window (then the lowest
   * port first), each with its mode; undefined when there are not more than that.
   */
  private foldedPorts(
    target: SnapshotWorkload,
    flows: ObservedFlow[],
  ): Map<number, MtlsMode> | undefined {
    // Fewer flows than the limit cannot reach more ports: nothing built (most views).
    if (flows.length <= OBSERVED_PORT_LIMIT) return undefined;
    const declared = this.declared(target);
    const seen = new Map<number, number>();
    for (const f of flows)
      if (f.port !== undefined && !declared.has(f.port))
        seen.set(f.port, (seen.get(f.port) ?? 0) + evidenceTotal(f));
    if (seen.size <= OBSERVED_PORT_LIMIT) return undefined;
    const info = this.info(target);
    const folded = new Map<number, MtlsMode>();
    for (const [port] of [...seen]
      .sort(([pa, a], [pb, b]) => b - a || pa - pb)
      .slice(OBSERVED_PORT_LIMIT))
      folded.set(port, this.ctx.portMode(info, port).mtls);
    return folded;
  }

  callers(
    ref: WorkloadRef,
    edges?: AccessEdge[],
  ): { edges: EdgeTraffic[]; unmatched: UnmatchedTraffic[] } | undefined {
    if (!this.usable) return undefined;
    const target = this.find(ref);
    const list = edges ?? this.graph().callersOf(ref);
    const last = this.lastCallers;
    if (last && last.target === target && last.edges === list)
      return last.answer;
    const info = this.info(target);
    const received = this.received(target);
    const answer = this.attribute(list, received, {
      self: target,
      unobservable: () => this.unobservable(info),
      portsTold: this.portsTold(info, received.flows),
      // One unmatched group per port and status, whatever workloads sent its flows.
      unmatchedPeer: undefined,
      declared: () => this.declared(target),
      listSources: true,
    });
    this.lastCallers = { target, edges: list, answer };
    return answer;
  }

  callees(
    ref: WorkloadRef,
    edges?: AccessEdge[],
  ): { edges: EdgeTraffic[]; unmatched: UnmatchedTraffic[] } | undefined {
    if (!this.usable) return undefined;
    const caller = this.find(ref);
    const list = edges ?? this.graph().calleesOf(ref);
    const last = this.lastCallees;
    if (last && last.target === caller && last.edges === list)
      return last.answer;
    const sent = this.sent(caller);
    const answer = this.attribute(list, sent, {
      self: caller,
      // Each callee is observable or not on its own; an edge standing for many callees is
      // unknown only when one of its own flows' targets is.
      unobservable: (peer?: Peer) => peer && this.unobservablePeer(peer),
      portsTold: sent.flows.some(f => f.port !== undefined),
      // Every flow sent has a receiving workload of the snapshot: `other` is set.
      unmatchedPeer: other => workloadPeer(this.ctx.options.cluster, other),
      declared: other => this.declared(other!),
      // Every flow of a callee list comes from the workload itself: nothing to list.
      listSources: false,
    });
    this.lastCallees = { target: caller, edges: list, answer };
    return answer;
  }

  /** The ports a receiving workload declares (the access graph lists only those). */
  private declared(w: SnapshotWorkload): Set<number> {
    let ports = this.declaredPorts.get(w);
    if (!ports)
      this.declaredPorts.set(w, (ports = new Set(portNumbers(this.info(w)))));
    return ports;
  }

  /** Why traffic to a callee peer may go unreported: some workload it stands for has no proxy. */
  private unobservablePeer(peer: Peer): string | undefined {
    const some =
      'some workloads it stands for have no proxy that reports their traffic';
    switch (peer.kind) {
      case 'any-meshed':
        return undefined;
      case 'any-workload':
      case 'outside-mesh':
        return some;
      case 'namespace':
        return (this.ctx.byNamespace.get(peer.namespace) ?? []).some(w =>
          this.unobservable(this.info(w)),
        )
          ? some
          : undefined;
      default: {
        const w = this.ctx.find(peer as WorkloadRef);
        return w ? this.unobservable(this.info(w)) : undefined;
      }
    }
  }

  /**
   * The traffic of an edge no flow went to, one frozen object per kind (most edges of a long
   * list carry none): building an empty bucket per edge was most of an entity view's garbage
   * (docs/benchmarks.md).
   */
  private withoutTraffic(
    portsTold: boolean,
    unobservable: string | undefined,
  ): EdgeTraffic {
    const byReason = this.emptyEdges[portsTold ? 1 : 0];
    const key = unobservable ?? '';
    let traffic = byReason.get(key);
    if (!traffic) {
      const bucket = new Bucket(portsTold);
      traffic = deepFreeze(
        edgeTraffic(
          bucket,
          edgeStatus(bucket, unobservable, this.observations.truncated),
        ),
      );
      byReason.set(key, traffic);
    }
    return traffic;
  }

  /**
   * Puts every flow into exactly one bucket: the most specific edge standing for its other end
   * on its port (or on any port, when the metrics lack ports), else an unmatched group.
   */
  private attribute(
    edges: AccessEdge[],
    /** The flows, with their ends; `targets`: the other end is the receiving workload. */
    ends: FlowEnds & { targets?: SnapshotWorkload[] },
    side: {
      self: SnapshotWorkload;
      unobservable: (peer?: Peer) => string | undefined;
      portsTold: boolean;
      /**
       * The peer of an unmatched group, from the flow's other end (a group per other end); none:
       * the groups name no peer (a group per port and status).
       */
      unmatchedPeer: ((other: SnapshotWorkload) => Peer) | undefined;
      /** The receiving workload's declared ports (the access graph lists only those). */
      declared: (other: SnapshotWorkload | undefined) => Set<number>;
      /** Whether buckets list their sources (callee buckets: the source is `self`). */
      listSources: boolean;
    },
  ): { edges: EdgeTraffic[]; unmatched: UnmatchedTraffic[] } {
    const { flows, sources, targets } = ends;
    /** The other end of flow `i`: its receiving workload for callees, else its source. */
    const otherOf = (i: number) => (targets ? targets[i] : sources[i].source);
    if (flows.length === 0) {
      return {
        edges: edges.map(edge =>
          this.withoutTraffic(side.portsTold, side.unobservable(edge.peer)),
        ),
        unmatched: [],
      };
    }
    const byEdge = new Map<number, Bucket>();
    const byPeer = new Map<string, Bucket>();
    // The unmatched groups in the order their first flows came, found by their other end (when
    // they name a peer) and port as one number, then by status along a short chain: nothing is
    // built per flow, nor a map per other end (an entity view's callees are mostly one group per
    // workload called). Keyed by port too: a port scan makes a group per port probed, and a
    // chain of those made the attribution quadratic in the ports (docs/benchmarks.md, "A port
    // scan").
    const unmatched: UnmatchedGroup[] = [];
    const endIds = new Map<SnapshotWorkload | undefined, number>();
    const unmatchedAt = new Map<number | string, UnmatchedGroup>();
    // Each edge's peer key built once: every flow without a port looks its edge's bucket up.
    const peerKeys: Array<string | undefined> = [];
    const peerKeyOf = (index: number) =>
      (peerKeys[index] ??= peerKey(edges[index].peer));
    const onPort = (e: AccessEdge, port: number | undefined) =>
      port === undefined || e.port === port;
    // Edges are many and a workload's flows few. One pass over the list sorts the edges that name
    // a workload of the flows (looked up by namespace and name, allocating nothing for the
    // others) from the summaries; each flow then looks at its own workload's edges, else at the
    // summaries (docs/benchmarks.md). Precedence: an edge naming the workload, then the most
    // specific summary (`peerPrecedence`), then the list's order.
    const rankOf = (e: AccessEdge) => {
      const p = e.peer as { namespace?: string; name?: string };
      return p.name !== undefined && p.namespace !== undefined
        ? peerPrecedence(e.peer)
        : 100 + peerPrecedence(e.peer);
    };
    let edgeIndex: EdgeIndex | undefined;
    const coveringEdge = (
      other: SnapshotWorkload,
      port: number | undefined,
    ): { edge: AccessEdge; index: number } | undefined => {
      edgeIndex ??= indexEdges(edges, flows.length, otherOf, i =>
        targets ? undefined : sources[i].candidates,
      );
      let best = -1;
      let bestRank = Infinity;
      const named = edgeIndex.named.get(other);
      if (named)
        for (const i of named) {
          const edge = edges[i];
          if (!onPort(edge, port) || edge.peer.kind !== other.kind) continue;
          const rank = rankOf(edge);
          if (rank < bestRank) {
            best = i;
            bestRank = rank;
          }
        }
      if (best >= 0) return { edge: edges[best], index: best };
      for (const i of edgeIndex.summaries) {
        const edge = edges[i];
        if (!onPort(edge, port)) continue;
        const rank = rankOf(edge);
        if (rank >= bestRank) continue;
        if (peerCovers(this.family, edge.peer, side.self, other)) {
          best = i;
          bestRank = rank;
        }
      }
      return best < 0 ? undefined : { edge: edges[best], index: best };
    };
    /** The edge a flow from an unknown source goes to (`unknownSourceEdge`), if any. */
    const unknownSourceHit = (
      port: number | undefined,
    ): { edge: AccessEdge; index: number } | undefined => {
      let best = -1;
      let bestKey = Infinity;
      for (let index = 0; index < edges.length; index++) {
        const edge = edges[index];
        if (!onPort(edge, port)) continue;
        const rank = unknownSourceEdge(edge.peer);
        if (rank < 0) continue;
        // Ties go to the more specific peer, then to the list's order.
        const key = rank * 1000 + peerPrecedence(edge.peer);
        if (key < bestKey) {
          best = index;
          bestKey = key;
        }
      }
      return best < 0 ? undefined : { edge: edges[best], index: best };
    };
    const bucketOf = (
      hit: { edge: AccessEdge; index: number },
      port: number | undefined,
    ): Bucket => {
      if (port !== undefined) {
        let b = byEdge.get(hit.index);
        if (!b) byEdge.set(hit.index, (b = new Bucket(true, side.listSources)));
        return b;
      }
      const key = peerKeyOf(hit.index);
      let b = byPeer.get(key);
      if (!b) byPeer.set(key, (b = new Bucket(false, side.listSources)));
      return b;
    };
    const partial = Object.keys(this.ctx.options.unavailable ?? {}).length > 0;
    // Flows without a port make the whole list per peer, so that no count is split or lost.
    const portless = flows.some(f => f.port === undefined);
    for (let i = 0; i < flows.length; i++) {
      const f = flows[i];
      const port = portless ? undefined : f.port;
      const from = sources[i];
      const other = otherOf(i);
      let hit: { edge: AccessEdge; index: number } | undefined;
      let status: EdgeTrafficStatus | undefined;
      let reason: string | undefined;
      if (other) hit = coveringEdge(other, port);
      else if (from.candidates) {
        const hits = from.candidates.map(c => coveringEdge(c, port));
        if (hits.every(h => h && h.index === hits[0]!.index)) hit = hits[0];
        else if (hits.some(h => h)) {
          status = 'unknown';
          reason =
            'an identity several workloads share, which the edges treat differently';
        } else status = 'denied';
      } else if (f.from.kind === 'unknown') {
        hit = unknownSourceHit(port);
      }
      if (hit) {
        bucketOf(hit, port).tally.add(from.key, from.described, f);
        continue;
      }
      if (!status && port !== undefined && !side.declared(other).has(port)) {
        status = 'unknown';
        reason = `port ${port} is not declared by the receiving workload: the access graph lists declared ports only`;
      }
      if (!status) {
        if (partial) {
          status = 'unknown';
          reason = 'the policies could not all be read';
        } else if (other || acceptedEvidence(f) === 0) status = 'denied';
        else status = 'outside-grant';
      }
      const end = side.unmatchedPeer && other;
      let endId = endIds.get(end);
      if (endId === undefined) endIds.set(end, (endId = endIds.size));
      // Ports are 1–65535 (65536 stands for none); a custom reader's other numbers get a text
      // key, so that no two groups share one.
      const at =
        port === undefined ||
        (Number.isInteger(port) && port > 0 && port < 65536)
          ? endId * 65537 + (port ?? 65536)
          : `${endId}:${port}`;
      const first = unmatchedAt.get(at);
      let entry = first;
      while (entry && entry.bucket.status !== status) entry = entry.next;
      if (!entry) {
        const bucket = new Bucket(port !== undefined, side.listSources);
        bucket.status = status;
        bucket.reason = reason;
        const u = {} as UnmatchedTraffic;
        if (port !== undefined) u.port = port;
        if (end) u.peer = side.unmatchedPeer!(end);
        entry = { bucket, u, next: first };
        unmatchedAt.set(at, entry);
        unmatched.push(entry);
      }
      entry.bucket.tally.add(from.key, from.described, f);
    }
    // Edges of one peer share a bucket when the metrics lack ports (the same counts on each of
    // its edges): its traffic is built once, not sorted and listed again per port. A bucket's
    // edges have one peer key (kind, mesh, namespace, name), on which `unobservable` depends.
    const built = new Map<Bucket, EdgeTraffic>();
    const traffic = edges.map((edge, index) => {
      const bucket =
        byEdge.get(index) ??
        (byPeer.size > 0 ? byPeer.get(peerKeyOf(index)) : undefined);
      const unobservable = side.unobservable(edge.peer);
      if (!bucket)
        return this.withoutTraffic(side.portsTold && !portless, unobservable);
      let t = built.get(bucket);
      if (!t) {
        t = edgeTraffic(
          bucket,
          edgeStatus(bucket, unobservable, this.observations.truncated),
        );
        built.set(bucket, t);
      }
      return t;
    });
    return {
      edges: traffic,
      unmatched: unmatched.map(({ bucket, u }) =>
        fillEdgeTraffic(u, bucket, {
          status: bucket.status!,
          reason: bucket.reason ?? unmatchedReason(bucket),
        }),
      ),
    };
  }
}

/** An unmatched group of an attribution, and the next of the same other end and port. */
interface UnmatchedGroup {
  bucket: Bucket;
  u: UnmatchedTraffic;
  next: UnmatchedGroup | undefined;
}

/** A list's edges that name a workload of the flows (by workload), and its summary edges. */
interface EdgeIndex {
  named: ReadonlyMap<SnapshotWorkload, number[]>;
  summaries: number[];
}

function indexEdges(
  edges: AccessEdge[],
  flowCount: number,
  /** The other end of flow `i`, and the workloads sharing its identity when it has none. */
  other: (i: number) => SnapshotWorkload | undefined,
  candidates: (i: number) => SnapshotWorkload[] | undefined,
): EdgeIndex {
  const summaries: number[] = [];
  const isNamed = (e: AccessEdge) => {
    const p = e.peer as { namespace?: string; name?: string };
    return p.name !== undefined && p.namespace !== undefined;
  };
  // A list of summaries only (an estate without AuthorizationPolicies): nothing to look up.
  if (!edges.some(isNamed)) {
    for (let i = 0; i < edges.length; i++) summaries.push(i);
    return { named: NO_NAMED_EDGES, summaries };
  }
  const named = new Map<SnapshotWorkload, number[]>();
  // The flows' other ends by namespace and name (candidates of a shared identity included).
  const workloads = new Map<string, Map<string, SnapshotWorkload[]>>();
  const note = (w: SnapshotWorkload) => {
    let byName = workloads.get(w.namespace);
    if (!byName) workloads.set(w.namespace, (byName = new Map()));
    const list = byName.get(w.name);
    if (!list) byName.set(w.name, [w]);
    else if (!list.includes(w)) list.push(w);
  };
  for (let i = 0; i < flowCount; i++) {
    const w = other(i);
    if (w) note(w);
    else candidates(i)?.forEach(note);
  }
  for (let i = 0; i < edges.length; i++) {
    if (!isNamed(edges[i])) {
      summaries.push(i);
      continue;
    }
    const p = edges[i].peer as { namespace: string; name: string };
    for (const w of workloads.get(p.namespace)?.get(p.name) ?? []) {
      const list = named.get(w);
      if (list) list.push(i);
      else named.set(w, [i]);
    }
  }
  return { named, summaries };
}

function edgeStatus(
  bucket: Bucket,
  unobservable: string | undefined,
  truncated: boolean,
): { status: EdgeTrafficStatus; reason?: string } {
  const t = bucket.tally;
  if (accepted(t.evidence) > 0 || accepted(t.recent) > 0)
    return { status: 'used' };
  if (t.evidence.denied > 0 || t.recent.denied > 0)
    return {
      status: 'denied',
      reason: 'the receiving proxy refused its requests',
    };
  if (unobservable) return { status: 'unknown', reason: unobservable };
  if (truncated)
    return {
      status: 'unknown',
      reason:
        'the metrics answered more series than the cap: some flows are missing',
    };
  return { status: 'unused' };
}

function unmatchedReason(bucket: Bucket): string | undefined {
  if (bucket.status === 'denied')
    return accepted(bucket.tally.evidence) > 0
      ? 'accepted from workloads no edge allows (traffic predating a policy change, or a policy not enforced as read)'
      : 'the receiving proxy refused its requests';
  if (bucket.status === 'outside-grant')
    return 'accepted from sources that are no workload of the cluster';
  return undefined;
}

function edgeTraffic(
  bucket: Bucket,
  verdict: { status: EdgeTrafficStatus; reason?: string },
): EdgeTraffic {
  return fillEdgeTraffic({} as EdgeTraffic, bucket, verdict);
}

/**
 * Sets an edge's traffic fields on `into`, in the order answers list them (field by field:
 * object spreads here cost microseconds each on Node 20, docs/benchmarks.md).
 */
function fillEdgeTraffic<T extends EdgeTraffic>(
  into: T,
  bucket: Bucket,
  verdict: { status: EdgeTrafficStatus; reason?: string },
): T {
  const t = bucket.tally;
  const top = t.top(s => accepted(s.evidence) + s.evidence.denied);
  into.status = verdict.status;
  if (verdict.reason) into.reason = verdict.reason;
  if (!bucket.portsTold) into.portsTold = false;
  into.recent = t.recent;
  into.evidence = t.evidence;
  into.mtlsShare = {
    recent: mtlsShare(t.recent),
    evidence: mtlsShare(t.evidence),
  };
  into.sources = top.list;
  into.sourceCount = top.count;
  if (t.lastSeen) into.lastSeen = t.lastSeen;
  return into;
}

function deepFreeze<T extends object>(value: T): T {
  for (const field of Object.values(value)) {
    if (field !== null && typeof field === 'object') deepFreeze(field);
  }
  return Object.freeze(value);
}

/** Identifies a peer (edges of the same peer on different ports share it). */
function peerKey(peer: Peer): string {
  const p = peer as {
    kind: string;
    namespace?: string;
    name?: string;
    mesh?: string;
  };
  return [p.kind, p.mesh ?? '', p.namespace ?? '', p.name ?? ''].join('/');
}
