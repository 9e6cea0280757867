import {
  AccessEdge,
  ChangeScope,
  Engine,
  JsonObject,
  SnapshotPolicy,
  WorkloadPosture,
  WorkloadRef,
} from '@mesh-security/plugin-mesh-security-common';
import { LayeredMap } from './layeredMap';
import { yieldEvery } from './slices';

// The engine's workload key (`namespace/kind/name`, as a ChangeScope names workloads).
// Joined, not concatenated: `join` makes one flat string, where a template literal leaves a
// tree of fragments that every key kept for the generation would retain.
const keyOf = (w: { namespace: string; kind?: string; name: string }) =>
  [w.namespace, w.kind ?? '', w.name].join('/');

/**
 * A posture's key, kept per posture object: an unchanged workload keeps its (compacted) posture
 * from one generation to the next, and a merge of the policies' layers keys every workload.
 */
const postureKeys = new WeakMap<WorkloadPosture, string>();
const postureKey = (w: WorkloadPosture): string => {
  let key = postureKeys.get(w);
  if (key === undefined) postureKeys.set(w, (key = keyOf(w)));
  return key;
};

/** A workload reference from the engine's key (names and namespaces hold no `/`). */
function refOfKey(cluster: string, key: string): WorkloadRef {
  const first = key.indexOf('/');
  const second = key.indexOf('/', first + 1);
  return {
    cluster,
    namespace: key.slice(0, first),
    kind: key.slice(first + 1, second),
    name: key.slice(second + 1),
  };
}

/**
 * How many generations' layers the policies of workloads may stack before they are merged into
 * one map (see `LayeredMap`): a lookup reads at most this many maps.
 */
export const MAX_POLICY_LAYERS = 8;

type Policies = Array<SnapshotPolicy<JsonObject>>;

/**
 * One cluster's access graph for one snapshot generation: the engine's graph (grouped callers,
 * summary peers; docs/engine.md "Access graph"), built in the background in slices that yield
 * to the event loop, and the policies that apply to each workload. Until the build completes,
 * queries are answered by the engine's graph from what it has evaluated so far.
 */
export class AccessGraph {
  /**
   * The policies applying to each workload (shared snapshot objects), filled by the build. A
   * graph carried over holds those of the change's workloads over the previous generation's.
   */
  private readonly policies: LayeredMap<Policies>;
  private built = false;
  private cancelled = false;

  /** Carried over: the keys of the workloads whose policies this generation sets. */
  private readonly changed?: string[];
  /** Merging the previous generation's layers: its map, and the keys it no longer answers. */
  private readonly merged?: {
    previous: LayeredMap<Policies>;
    changed: Set<string>;
  };

  /**
   * `carried`: watch mode, the previous generation's graph and the scope of the change since
   * (docs/backend.md "Watches"); the policies of workloads outside the scope are taken from it.
   */
  constructor(
    private readonly engine: Engine,
    private readonly workloads: WorkloadPosture[],
    private readonly cluster: string,
    carried?: { previous: AccessGraph; scope: ChangeScope },
  ) {
    const previous = carried?.previous;
    if (!carried || carried.scope.all || !previous?.built) {
      this.policies = LayeredMap.empty();
    } else if (previous.policies.depth < MAX_POLICY_LAYERS) {
      this.policies = previous.policies.over();
      this.changed = carried.scope.workloads;
    } else {
      this.policies = LayeredMap.empty();
      this.merged = {
        previous: previous.policies,
        changed: new Set(carried.scope.workloads),
      };
    }
  }

  get complete(): boolean {
    return this.built;
  }

  /**
   * Whether this graph took the previous generation's over for the workloads outside a change
   * (watch mode): then the change was small, and a workload's lists cost microseconds to list
   * on first view.
   */
  get isCarriedOver(): boolean {
    return this.changed !== undefined || this.merged !== undefined;
  }

  /** Stops a background build (the generation was replaced). */
  cancel(): void {
    this.cancelled = true;
  }

  /** Whether the generation was replaced (work for it should stop). */
  get isCancelled(): boolean {
    return this.cancelled;
  }

  callersOf(ref: WorkloadRef): AccessEdge[] {
    return this.engine.accessGraph().callersOf(ref);
  }

  calleesOf(ref: WorkloadRef): AccessEdge[] {
    return this.engine.accessGraph().calleesOf(ref);
  }

  /** Who is meant to call the workload but is rejected (never among its callers). */
  blockedCallersOf(ref: WorkloadRef): AccessEdge[] {
    return this.engine.accessGraph().blockedCallersOf(ref);
  }

  /**
   * `kind/namespace/name` of every policy applying to at least one workload; known once the
   * graph is complete.
   */
  appliedPolicyKeys(): Set<string> | undefined {
    if (!this.complete) return undefined;
    // A policy applies to many workloads (a namespace's default deny to all of them), and the
    // same policy objects to one generation after the next: each object is keyed once.
    const keys = new Set<string>();
    this.policies.forEachValue(list => {
      for (const p of list) keys.add(policyKey(p));
    });
    return keys;
  }

  /**
   * The policies applying to a workload; from the graph once built, else from the engine (until
   * then a carried graph's layers may still read the previous generation's for a changed one).
   */
  policiesOf(ref: WorkloadRef): Policies {
    return (
      (this.built ? this.policies.get(keyOf(ref)) : undefined) ??
      this.engine.policiesFor(ref)
    );
  }

  /** Builds the whole graph; resolves when complete (or cancelled). */
  async build(sliceMs = 20): Promise<void> {
    const pause = yieldEvery(sliceMs);
    if (this.changed) {
      // Carried over: the workloads the change re-evaluated, added or removed (a removed one
      // gets an empty list, which no view asks for and no applied policy comes from).
      for (const key of this.changed) {
        if (this.cancelled) return;
        const ref = refOfKey(this.cluster, key);
        this.policies.set(key, this.engine.policiesFor(ref));
        await pause();
      }
    } else {
      for (const w of this.workloads) {
        if (this.cancelled) return;
        const key = postureKey(w);
        const held =
          this.merged && !this.merged.changed.has(key)
            ? this.merged.previous.get(key)
            : undefined;
        if (held) {
          this.policies.set(key, held);
          continue;
        }
        this.policies.set(
          key,
          this.engine.policiesFor({
            cluster: this.cluster,
            namespace: w.namespace,
            name: w.name,
            kind: w.kind,
          }),
        );
        await pause();
      }
    }
    const graph = this.engine.accessGraph();
    while (!graph.buildStep(Math.max(sliceMs, 1))) {
      if (this.cancelled) return;
      await pause();
    }
    if (!this.cancelled) this.built = true;
  }
}

const policyKeys = new WeakMap<object, string>();

/** `kind/namespace/name` of a policy object, made once per object. */
function policyKey(p: {
  kind: string;
  namespace: string;
  name: string;
}): string {
  let key = policyKeys.get(p);
  if (key === undefined)
    policyKeys.set(p, (key = `${p.kind}/${p.namespace}/${p.name}`));
  return key;
}
