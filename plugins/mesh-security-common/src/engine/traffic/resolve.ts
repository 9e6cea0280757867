import {
  ObservedFlow,
  ObservedSource,
  SnapshotWorkload,
  TrafficSource,
} from '../../model';
import { EngineContext } from '../core/context';
import { WaypointRef } from '../istio/waypoint';

/*
 * Observed flows matched to the snapshot's workloads (docs/traffic.md, "What the engine does
 * with observations"): the receiving workload by namespace and name; the source by namespace
 * and name, else by the mesh identity it presented, compared with the identity the engine
 * derives for each workload (core/mesh.ts `identityOf`, through the context).
 */

/** How a source as reported resolves: the same for every flow naming it. */
export interface ResolvedSource {
  /** The source workload, when exactly one matches. */
  source?: SnapshotWorkload;
  /** The workloads sharing the presented identity, when more than one does. */
  candidates?: SnapshotWorkload[];
  /** Aggregation key of the source (one per source as resolved). */
  key: string;
  /**
   * The source is an Istio waypoint's proxy: its flows are the last hop of its clients'
   * traffic, which the waypoint reports itself with the clients as sources (docs/traffic.md
   * "Istio ambient and waypoints"), not a caller of its own.
   */
  waypoint?: WaypointRef;
  /**
   * The source as answers list it (without counts), shared by its flows, so summing a flow
   * into a tally builds nothing but the tally's own entry.
   */
  described: SourceDescription;
}

/** An {@link ObservedSource} without its counts. */
export type SourceDescription = Omit<ObservedSource, 'recent' | 'evidence'>;

const workloadKey = (w: SnapshotWorkload): string =>
  `workload:${w.namespace}/${w.kind}/${w.name}`;

/**
 * Resolves flows' ends, once per object: flows share their receiving workload and source
 * objects (on the replica that read them and on every replica that decodes them, see
 * `TrafficStore`), so the join keeps the flows themselves and looks their ends up here — no
 * resolved copy of each flow (docs/benchmarks.md "Observed traffic").
 */
export class FlowResolver {
  private identities?: Map<string, SnapshotWorkload[]>;
  private readonly sources = new Map<TrafficSource, ResolvedSource>();
  private readonly targets = new Map<
    ObservedFlow['to'],
    SnapshotWorkload | null
  >();

  constructor(private readonly ctx: EngineContext) {}

  /** The flow's source, resolved. */
  source(flow: ObservedFlow): ResolvedSource {
    let resolved = this.sources.get(flow.from);
    if (!resolved) {
      const found = this.resolveSource(flow.from) as ResolvedSource;
      const waypoint =
        flow.mesh === 'istio' && flow.from.kind === 'workload'
          ? this.ctx.waypoints.proxyOf(
              found.source ?? {
                namespace: flow.from.namespace,
                name: flow.from.name,
              },
            )
          : undefined;
      if (waypoint) found.waypoint = waypoint;
      found.described = describe(flow.from, found);
      this.sources.set(flow.from, (resolved = found));
    }
    return resolved;
  }

  /** The receiving workload of the snapshot; undefined when it is not in the snapshot. */
  target(flow: ObservedFlow): SnapshotWorkload | undefined {
    return this.targetOf(flow.to);
  }

  /**
   * The workload of the snapshot a flow's receiving end names (the first of that namespace and
   * name); undefined when none. Kept per object: flows share their receiving end's.
   */
  targetOf(to: ObservedFlow['to']): SnapshotWorkload | undefined {
    let target = this.targets.get(to);
    if (target === undefined) {
      target =
        this.ctx.find({ namespace: to.namespace, name: to.name }) ?? null;
      this.targets.set(to, target);
    }
    return target ?? undefined;
  }

  private resolveSource(
    from: TrafficSource,
  ): Omit<ResolvedSource, 'described'> {
    if (from.kind === 'workload') {
      const source = this.ctx.find({
        namespace: from.namespace,
        name: from.name,
      });
      if (source) return { source, key: workloadKey(source) };
      if (!from.identity) return { key: `name:${from.namespace}/${from.name}` };
    }
    if (from.kind === 'unknown') return { key: 'unknown' };
    const identity = from.identity!;
    const named = this.byIdentity(identity);
    if (named.length === 1)
      return { source: named[0], key: workloadKey(named[0]) };
    if (named.length > 1) return { candidates: named, key: `id:${identity}` };
    return { key: `id:${identity}` };
  }

  /** The workloads presenting an identity; the index is built on first use, O(workloads). */
  private byIdentity(identity: string): SnapshotWorkload[] {
    if (!this.identities) {
      this.identities = new Map();
      for (const w of this.ctx.snapshot.workloads) {
        const own = this.ctx.info(w, false).identity;
        if (!own) continue;
        const list = this.identities.get(own);
        if (list) list.push(w);
        else this.identities.set(own, [w]);
      }
    }
    return this.identities.get(identity) ?? [];
  }
}

/** How answers list a resolved source (the fields of {@link ObservedSource} but its counts). */
function describe(
  from: TrafficSource,
  resolved: Pick<ResolvedSource, 'source' | 'candidates'>,
): SourceDescription {
  return {
    from,
    ...(resolved.source
      ? {
          workload: {
            namespace: resolved.source.namespace,
            name: resolved.source.name,
            kind: resolved.source.kind,
          },
        }
      : {}),
    ...(resolved.candidates ? { candidates: resolved.candidates.length } : {}),
  };
}
