import {
  AccessEdge,
  ChangeScope,
  Engine,
  JsonObject,
  SnapshotPolicy,
  WorkloadPosture,
  WorkloadRef,
} from '@mesh-security/plugin-mesh-security-common';
import { yieldEvery } from './slices';

// The engine's workload key (`namespace/kind/name`, as a ChangeScope names workloads).
// Joined, not concatenated: `join` makes one flat string, where a template literal leaves a
// tree of fragments that every key kept for the generation would retain.
const keyOf = (w: { namespace: string; kind?: string; name: string }) =>
  [w.namespace, w.kind ?? '', w.name].join('/');

/**
 * One cluster's access graph for one snapshot generation: the engine's graph (grouped callers,
 * summary peers; docs/engine.md "Access graph"), built in the background in slices that yield
 * to the event loop, and the policies that apply to each workload. Until the build completes,
 * queries are answered by the engine's graph from what it has evaluated so far.
 */
export class AccessGraph {
  /** The policies applying to each workload (shared snapshot objects), filled by the build. */
  private readonly policies = new Map<
    string,
    Array<SnapshotPolicy<JsonObject>>
  >();
  private built = false;
  private cancelled = false;

  /** The policies of workloads outside the change's scope, from the previous generation. */
  private readonly carried?: Map<string, Array<SnapshotPolicy<JsonObject>>>;

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
    if (carried && !carried.scope.all && carried.previous.built) {
      const changed = new Set(carried.scope.workloads);
      this.carried = new Map(
        [...carried.previous.policies].filter(([key]) => !changed.has(key)),
      );
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
    return this.carried !== undefined;
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
    for (const list of this.policies.values())
      for (const p of list) keys.add(policyKey(p));
    return keys;
  }

  /** The policies applying to a workload; from the graph once built, else from the engine. */
  policiesOf(ref: WorkloadRef): Array<SnapshotPolicy<JsonObject>> {
    return this.policies.get(keyOf(ref)) ?? this.engine.policiesFor(ref);
  }

  /** Builds the whole graph; resolves when complete (or cancelled). */
  async build(sliceMs = 20): Promise<void> {
    const pause = yieldEvery(sliceMs);
    for (const w of this.workloads) {
      if (this.cancelled) return;
      const ref = {
        cluster: this.cluster,
        namespace: w.namespace,
        name: w.name,
        kind: w.kind,
      };
      const key = keyOf(ref);
      const held = this.carried?.get(key);
      if (held) {
        this.policies.set(key, held);
        continue;
      }
      this.policies.set(key, this.engine.policiesFor(ref));
      await pause();
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
