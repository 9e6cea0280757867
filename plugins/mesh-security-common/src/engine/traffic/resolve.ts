import {
  ObservedFlow,
  ObservedSource,
  SnapshotWorkload,
  TrafficSource,
} from '../../model';
import { EngineContext } from '../core/context';

/*
 * Observed flows matched to the snapshot's workloads (docs/traffic.md, "What the engine does
 * with observations"): the receiving workload by namespace and name; the source by namespace
 * and name, else by the mesh identity it presented, compared with the identity the engine
 * derives for each workload (core/mesh.ts `identityOf`, through the context).
 */

/** A flow with its ends resolved. */
export interface ResolvedFlow {
  flow: ObservedFlow;
  target: SnapshotWorkload;
  /** The source workload, when exactly one matches. */
  source?: SnapshotWorkload;
  /** The workloads sharing the presented identity, when more than one does. */
  candidates?: SnapshotWorkload[];
  /** Aggregation key of the source (one per source as resolved). */
  key: string;
  /**
   * The source as answers list it (without counts): one object per source as reported, shared
   * by its flows, so summing a flow into a tally builds nothing but the tally's own entry.
   */
  described: SourceDescription;
}

/** An {@link ObservedSource} without its counts. */
export type SourceDescription = Omit<ObservedSource, 'recent' | 'evidence'>;

const workloadKey = (w: SnapshotWorkload): string =>
  `workload:${w.namespace}/${w.kind}/${w.name}`;

/** How a source as reported resolves: the same for every flow naming it. */
type ResolvedSource = Omit<ResolvedFlow, 'flow' | 'target'>;

export class FlowResolver {
  private identities?: Map<string, SnapshotWorkload[]>;
  /**
   * By source as reported (one object per source, see `TrafficStore`): its resolution, key and
   * description built once, so flows share them (a key string per flow was most of a join's
   * memory beside the flows).
   */
  private readonly sources = new Map<TrafficSource, ResolvedSource>();

  constructor(private readonly ctx: EngineContext) {}

  resolve(flow: ObservedFlow, target: SnapshotWorkload): ResolvedFlow {
    let resolved = this.sources.get(flow.from);
    if (!resolved) {
      const found = this.resolveSource(flow.from) as ResolvedSource;
      found.described = describe(flow.from, found);
      this.sources.set(flow.from, (resolved = found));
    }
    // Field by field, in one order: every resolved flow has the same layout.
    return {
      flow,
      target,
      source: resolved.source,
      candidates: resolved.candidates,
      key: resolved.key,
      described: resolved.described,
    };
  }

  target(flow: ObservedFlow): SnapshotWorkload | undefined {
    return this.ctx.find({ namespace: flow.to.namespace, name: flow.to.name });
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
  resolved: Pick<ResolvedFlow, 'source' | 'candidates'>,
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
