import {
  AccessEdge,
  Engine,
  JsonObject,
  SnapshotPolicy,
  WorkloadPosture,
  WorkloadRef,
} from '@mesh-security/plugin-mesh-security-common';
import { yieldEvery } from './slices';

// Joined, not concatenated: `join` makes one flat string, where a template literal leaves a
// tree of fragments that every key kept for the generation would retain.
const keyOf = (w: { namespace: string; kind?: string; name: string }) =>
  [w.namespace, w.kind ?? '', w.name].join('/');

/**
 * One cluster's access graph for one snapshot generation. A page view must not wait for the
 * engine to scan every workload pair, so the whole graph is built once in the background, in
 * slices that yield to the event loop: every workload's callers from the engine, and every
 * workload's callees by inverting them (the engine evaluates a caller→target pair the same way
 * in both directions, so the inversion equals `calleesOf`; a test holds it to that). Until the
 * build completes, queries fall back to the engine and cache what they computed.
 */
export class AccessGraph {
  private readonly callers = new Map<string, AccessEdge[]>();
  /** The policies applying to each workload (shared snapshot objects), filled by the build. */
  private readonly policies = new Map<
    string,
    Array<SnapshotPolicy<JsonObject>>
  >();
  private callees: Map<string, AccessEdge[]> | undefined;
  /** Callees asked for before the build completed (dropped when it does). */
  private readonly calleesAsked = new Map<string, AccessEdge[]>();
  private cancelled = false;

  private engine: Engine;

  /**
   * @param engine - builds the graph; it fills per-workload caches for every workload, so once
   *   the graph is complete it is dropped in favour of `servingEngine` (when given), which
   *   answers the few queries a complete graph still sends to an engine. That keeps what a
   *   replica retains per pod small.
   */
  constructor(
    engine: Engine,
    private readonly workloads: WorkloadPosture[],
    private readonly cluster: string,
    private readonly servingEngine?: Engine,
  ) {
    this.engine = engine;
  }

  get complete(): boolean {
    return this.callees !== undefined;
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
    const key = keyOf(ref);
    let edges = this.callers.get(key);
    if (!edges) {
      edges = this.engine.callersOf(ref);
      this.callers.set(key, edges);
    }
    return edges;
  }

  /**
   * `kind/namespace/name` of every policy applying to at least one workload; known once the
   * graph is complete.
   */
  appliedPolicyKeys(): Set<string> | undefined {
    if (!this.complete) return undefined;
    const keys = new Set<string>();
    for (const list of this.policies.values()) {
      for (const p of list) keys.add(`${p.kind}/${p.namespace}/${p.name}`);
    }
    return keys;
  }

  /** The policies applying to a workload; from the graph once built, else from the engine. */
  policiesOf(ref: WorkloadRef): Array<SnapshotPolicy<JsonObject>> {
    return this.policies.get(keyOf(ref)) ?? this.engine.policiesFor(ref);
  }

  calleesOf(ref: WorkloadRef): AccessEdge[] {
    const key = keyOf(ref);
    if (this.callees) return this.callees.get(key) ?? [];
    let edges = this.calleesAsked.get(key);
    if (!edges) {
      edges = this.engine.calleesOf(ref);
      this.calleesAsked.set(key, edges);
    }
    return edges;
  }

  /** Builds the whole graph; resolves when complete (or cancelled). */
  async build(sliceMs = 20): Promise<void> {
    const callees = new Map<string, AccessEdge[]>();
    const pause = yieldEvery(sliceMs);
    for (const target of this.workloads) {
      if (this.cancelled) return;
      const targetRef = {
        cluster: this.cluster,
        namespace: target.namespace,
        name: target.name,
        kind: target.kind,
      };
      this.policies.set(keyOf(targetRef), this.engine.policiesFor(targetRef));
      for (const edge of this.callersOf(targetRef)) {
        const peer = edge.peer;
        if (peer.kind === 'any-meshed' || peer.kind === 'external-plaintext')
          continue;
        const callerKey = keyOf(peer as WorkloadRef);
        if (!callees.has(callerKey)) callees.set(callerKey, []);
        callees.get(callerKey)!.push({ ...edge, peer: targetRef });
      }
      await pause();
    }
    if (!this.cancelled) {
      this.callees = callees;
      this.calleesAsked.clear();
      if (this.servingEngine) this.engine = this.servingEngine;
    }
  }
}
