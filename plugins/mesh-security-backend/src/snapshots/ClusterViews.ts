import {
  certificateFindings,
  ChangeScope,
  ClusterFreshness,
  ClusterStatus,
  detectNetworkPolicyEnforcement,
  EngineInput,
  enforcementFindings,
  Finding,
  meshCertificates,
  ObjectChange,
  WorkloadPosture,
  createEngine,
  createIncrementalEvaluator,
  readObjects,
} from '@mesh-security/plugin-mesh-security-common';
import { prepareViews } from '../service/prepareViews';
import { KindStatus } from '../sources/ClusterSource';
import { engineInputOf } from '../sources/kinds';
import { AccessGraph } from './AccessGraph';
import type { ClusterView, IncrementalState } from './clusterView';
import { Compactor } from './compact';
import { parseX509 } from './certificates';
import { nextSlice, Turns, waitedOn, yieldEvery } from './slices';
import { SnapshotStore } from './SnapshotStore';
import { ClusterState, objectIdentity } from './types';

/** The slices (ms) of the work that follows a delta, between which requests are served. */
const DELTA_SLICE_MS = 4;

export interface ClusterViewsOptions {
  clusters: string[];
  /** Told when a background access-graph build fails. */
  onError?: (cluster: string, error: Error) => void;
  refreshIntervalSeconds: number;
  certificateExpiryWarningDays: number;
  linkerdDefaultInboundPolicy?: string;
  /** `meshSecurity.platformNamespaces`; undefined: the engine's defaults. */
  platformNamespaces?: string[];
  /** Watch mode: the watcher's heartbeat; three missed ones make a cluster `behind`. */
  watchHeartbeatSeconds?: number;
  now?: () => Date;
}

/**
 * The evaluated view of each cluster, rebuilt only when the shared store holds a new
 * generation. A request costs one small cache read per cluster (the state record); the engine
 * runs once per generation per replica, so answers never wait on Kubernetes.
 */
export class ClusterViews {
  private readonly views = new Map<string, ClusterView>();
  /** The generation each cluster is being advanced to, and the view it will be. */
  private readonly advancing = new Map<
    string,
    { generation: number; view: Promise<ClusterView> }
  >();
  private readonly now: () => Date;
  /**
   * The evaluators' synchronous steps (a cluster's first evaluation, each apply of deltas), one
   * cluster at a time with a turn of the event loop between them: one request seeing every
   * cluster's next generation would otherwise start them all in one block.
   */
  private readonly turns = new Turns();

  constructor(
    private readonly store: SnapshotStore,
    private readonly options: ClusterViewsOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  get clusterNames(): string[] {
    return this.options.clusters;
  }

  /** Every configured cluster's current view. */
  async all(): Promise<ClusterView[]> {
    return Promise.all(this.options.clusters.map(name => this.get(name)));
  }

  /**
   * The cluster's view for a request. A watched cluster's next generation (a delta) takes a
   * moment to apply: meanwhile the view held answers, with its own generation's state (so its
   * freshness says how old it is), and the next request gets the new one.
   */
  async get(cluster: string): Promise<ClusterView> {
    return this.view(cluster, false);
  }

  /** The view of the cluster's current generation, waiting for it to be built. */
  async current(cluster: string): Promise<ClusterView> {
    return this.view(cluster, true);
  }

  private async view(cluster: string, wait: boolean): Promise<ClusterView> {
    const state = (await this.store.getState(cluster)) ?? pendingState(cluster);
    const held = this.views.get(cluster);
    if (held && held.state.generation === state.generation) {
      // Same objects; the state (reachability, age) may still have changed.
      held.state = state;
      return held;
    }
    const next = this.advanceTo(cluster, state);
    if (!wait && held?.incremental && state.watch) {
      next.catch(error => this.options.onError?.(cluster, error as Error));
      return held;
    }
    // The caller waits for the view's slices: none is held back for requests meanwhile.
    return waitedOn(next);
  }

  /** The view of the state's generation, built after any generation being built. */
  private advanceTo(
    cluster: string,
    state: ClusterState,
  ): Promise<ClusterView> {
    const pending = this.advancing.get(cluster);
    if (pending && pending.generation === state.generation) return pending.view;
    // One generation at a time per cluster: each builds on the view the one before installed.
    const view = (pending?.view.catch(() => undefined) ?? Promise.resolve())
      .then(() => this.advance(cluster, state))
      .finally(() => {
        if (this.advancing.get(cluster)?.view === view)
          this.advancing.delete(cluster);
      });
    this.advancing.set(cluster, { generation: state.generation, view });
    return view;
  }

  /** Builds the view of the state's generation and installs it (the access graph follows). */
  private async advance(
    cluster: string,
    state: ClusterState,
  ): Promise<ClusterView> {
    const held = this.views.get(cluster);
    if (held && held.state.generation === state.generation) {
      held.state = state;
      return held;
    }
    // A later generation was installed meanwhile (requests read states as they went).
    if (held && held.state.generation > state.generation && held.incremental)
      return held;
    const advanced = held && (await this.advanceByDeltas(held, state));
    if (advanced) {
      // Installed once its graph is built and its findings indexed (tens of milliseconds in
      // slices; a namespace label that changes callers rebuilds the graph: about 100 ms for
      // 10,000 pods). Meanwhile the view held answers: a page view never pays for a graph half
      // built, which lists a workload's callees by asking every target.
      // Short slices: a page view arriving waits for the slice under way (slices are held back
      // while it is answered, snapshots/slices.ts).
      await advanced.graph?.build(DELTA_SLICE_MS);
      await prepareViews(advanced, DELTA_SLICE_MS);
    }
    const view = advanced ?? (await this.build(state));
    if (this.views.get(cluster) !== view) {
      this.views.get(cluster)?.graph?.cancel();
      this.views.set(cluster, view);
      if (!advanced)
        view.graph
          ?.build()
          .then(() => prepareViews(view))
          .then(() => this.readAhead(cluster, view))
          .catch(error => this.options.onError?.(cluster, error as Error));
    }
    return view;
  }

  /**
   * A watched view's evaluator reads ahead, in slices between requests, what its first change of
   * a policy (or any object but a pod or controller) would read in one block: about 0.3 s for a
   * 10,000-pod cluster (docs/backend.md "Watches"). Goes on while the cluster's views advance
   * with the same evaluator (a delta's view keeps it); stops when a view is built anew.
   */
  private async readAhead(cluster: string, view: ClusterView): Promise<void> {
    const evaluator = view.incremental?.evaluator;
    while (
      evaluator &&
      this.views.get(cluster)?.incremental?.evaluator === evaluator
    ) {
      const until = performance.now() + DELTA_SLICE_MS;
      if (evaluator.readAhead(() => performance.now() < until) === 0) return;
      await nextSlice();
    }
  }

  /** The client-facing status of a cluster's view. */
  status(view: ClusterView): ClusterStatus {
    const { state } = view;
    const fetched = state.fetchedAt ? Date.parse(state.fetchedAt) : undefined;
    const age =
      fetched === undefined
        ? null
        : Math.max(0, Math.round((this.now().getTime() - fetched) / 1000));
    return {
      name: state.cluster,
      source: state.source,
      status: state.status,
      stale:
        age === null ? false : age > 3 * this.options.refreshIntervalSeconds,
      snapshotAgeSeconds: age,
      fetchedAt: state.fetchedAt,
      unreachableSince: state.unreachableSince,
      error: state.error,
      notInstalled: state.kinds
        .filter(k => k.state === 'notInstalled')
        .map(k => k.key),
      forbidden: state.kinds
        .filter(k => k.state === 'forbidden')
        .map(k => failedKind(k, 'forbidden')),
      errors: state.kinds
        .filter(k => k.state === 'error')
        .map(k => failedKind(k, 'error')),
      networkPolicyEnforcement: view.networkPolicyEnforcement,
      certificates: view.certificates,
      objectCount: state.objectCount,
      snapshotBytes: state.snapshotBytes ?? 0,
      accessGraphReady: view.graph?.complete ?? false,
      freshness: this.freshness(state, age),
    };
  }

  /** How current the view's objects are (docs/backend.md "Watches"). */
  private freshness(state: ClusterState, age: number | null): ClusterFreshness {
    const { watch } = state;
    if (!watch) {
      return {
        state: state.generation === 0 ? 'pending' : 'polling',
        mode: 'poll',
        lagSeconds: age,
      };
    }
    const lag = Math.max(
      0,
      Math.round((this.now().getTime() - Date.parse(watch.confirmedAt)) / 1000),
    );
    // Three missed heartbeats: the watching replica stopped or cannot keep up.
    const behind = lag > 3 * (this.options.watchHeartbeatSeconds ?? 5);
    let freshness: ClusterFreshness['state'] = 'live';
    if (behind || watch.stoppedAt) freshness = 'behind';
    if (watch.reconnecting.length > 0 && !watch.stoppedAt)
      freshness = 'reconnecting';
    if (state.generation === 0) freshness = 'pending';
    return {
      state: freshness,
      mode: 'watch',
      lagSeconds: lag,
      ...(watch.lastEventAt ? { lastEventAt: watch.lastEventAt } : {}),
      ...(watch.reconnecting.length > 0
        ? { reconnecting: watch.reconnecting }
        : {}),
    };
  }

  private async build(state: ClusterState): Promise<ClusterView> {
    const empty: ClusterView = {
      state,
      workloads: [],
      findings: [],
      certificates: [],
      networkPolicyEnforcement: {
        state: 'unknown',
        reason: 'the cluster has not been read yet',
      },
      memo: new Map(),
    };
    if (state.generation === 0) return empty;
    const stored = await this.store.getCurrentObjects(state);
    if (!stored) return empty;
    if (state.watch) return this.buildIncremental(state, stored.objects);

    const read = readObjects(stored.objects, { cluster: state.cluster });
    const readerFindings = read.findings;
    // The engine serving requests keeps the snapshot for the whole generation: equal parts of
    // its objects (labels, container lists, ports, selectors, rules) shared, strings flat —
    // about a fifth of the memory a replica keeps per pod. In slices, off the request path.
    const compactor = new Compactor();
    const snapshot = await compactor.compactInSlices(read.snapshot);
    const engineOptions = this.engineOptions(state);
    // Evaluating every workload fills an engine's per-workload caches (findings, scorecards)
    // for the whole cluster: that engine is dropped after `evaluate`. Requests and the access
    // graph are served by a second engine over the same snapshot.
    const builder = createEngine(snapshot, engineOptions);
    const evaluation = compactor.compact(builder.evaluate());
    const engine = createEngine(snapshot, engineOptions);
    const certificates = meshCertificates(stored.objects, {
      now: this.now(),
      warningDays: this.options.certificateExpiryWarningDays,
      parseCertificate: parseX509,
    });
    const networkPolicyEnforcement = detectNetworkPolicyEnforcement(
      stored.objects,
      daemonSetsRead(state),
    );
    return {
      state,
      engine,
      workloads: evaluation.workloads,
      findings: compactor.compact([
        ...[...readerFindings, ...evaluation.findings].map(f => ({
          ...f,
          object: { ...f.object, cluster: state.cluster },
        })),
        ...certificateFindings(state.cluster, certificates),
        ...enforcementFindings(
          state.cluster,
          networkPolicyEnforcement,
          snapshot.networkPolicies,
        ),
      ]),
      certificates,
      networkPolicyEnforcement,
      memo: new Map(),
      graph: new AccessGraph(engine, evaluation.workloads, state.cluster),
    };
  }

  /** The options every engine of the cluster is created with. */
  private engineOptions(state: ClusterState) {
    return {
      cluster: state.cluster,
      linkerdDefaultInboundPolicy: this.options.linkerdDefaultInboundPolicy,
      platformNamespaces: this.options.platformNamespaces,
      unavailable: unavailableInputs(state),
    };
  }

  /** A watched cluster's view from scratch, kept by an evaluator that takes the next deltas. */
  private async buildIncremental(
    state: ClusterState,
    objects: unknown[],
  ): Promise<ClusterView> {
    const options = this.engineOptions(state);
    const compactor = new Compactor();
    const held = await compactor.compactInSlices(objects, 20, 0);
    const evaluator = await this.turns.run(() =>
      createIncrementalEvaluator(
        held.map(object => ({ key: objectIdentity(object), object })),
        options,
      ),
    );
    return this.incrementalView(
      state,
      {
        evaluator,
        unavailable: JSON.stringify(options.unavailable),
        compacted: new WeakMap(),
        findings: new WeakMap(),
        checked: new Map(
          held
            .map(object => [objectIdentity(object), object] as const)
            .filter(([key]) => affectsClusterChecks(key)),
        ),
      },
      compactor,
    );
  }

  /**
   * The held view brought to the state's generation by applying the deltas after it to its
   * evaluation; undefined when that cannot be done (not a watched view, a delta gone from the
   * cache, a new base since, or the engine's inputs changed): then the view is built anew.
   */
  private async advanceByDeltas(
    held: ClusterView,
    state: ClusterState,
  ): Promise<ClusterView | undefined> {
    const incremental = held.incremental;
    if (!incremental || !state.watch) return undefined;
    const from = held.state.generation;
    // Crossing a new base: its objects are in the order it was written in (docs/backend.md).
    if (from >= state.generation || from < (state.baseGeneration ?? Infinity))
      return undefined;
    if (JSON.stringify(unavailableInputs(state)) !== incremental.unavailable)
      return undefined;
    const deltas = await this.store.getDeltas(
      state.cluster,
      from,
      state.generation,
    );
    if (!deltas) return undefined;
    // Each delta as the store applies it: removals, then objects added or changed. Their parts
    // are shared among themselves and with the postures they change, not with what is held.
    const compactor = new Compactor();
    const changes: ObjectChange[] = [];
    for (const delta of deltas) {
      for (const key of delta.deletes) changes.push({ key });
      for (const object of delta.upserts) {
        changes.push({
          key: objectIdentity(object),
          object: compactor.compact(object),
        });
      }
    }
    // A step at a time: a policy edit re-evaluates its namespace and the policy findings (about
    // 0.1 s for 10,000 pods), which as one block held every request arriving meanwhile. The view
    // before keeps serving between the steps (its engine is not changed by them).
    const scope = await this.turns.run(async () => {
      const steps = incremental.evaluator.applySteps(changes);
      const pause = yieldEvery(DELTA_SLICE_MS);
      for (;;) {
        const step = steps.next();
        if (step.done) return step.value;
        await pause();
      }
    });
    let certificatesChanged = false;
    for (const change of changes) {
      if (!affectsClusterChecks(change.key)) continue;
      certificatesChanged = true;
      if (change.object === undefined) incremental.checked.delete(change.key);
      else incremental.checked.set(change.key, change.object);
    }
    return this.incrementalView(
      state,
      incremental,
      compactor,
      certificatesChanged ? undefined : held,
      held.graph && { previous: held.graph, scope },
    );
  }

  /**
   * The view of an evaluator's current state; `compactor` compacts the postures and findings
   * not compacted before. `previous`: the view before, whose certificates and NetworkPolicy
   * enforcement still hold (no ConfigMap, Certificate or DaemonSet changed).
   */
  private async incrementalView(
    state: ClusterState,
    incremental: IncrementalState,
    compactor: Compactor,
    previous?: ClusterView,
    carried?: { previous: AccessGraph; scope: ChangeScope },
  ): Promise<ClusterView> {
    const { evaluator, compacted } = incremental;
    // Compacting every posture and finding (a new evaluator) takes about 100 ms for 10,000
    // pods: in slices, requests in between.
    const pause = yieldEvery(DELTA_SLICE_MS);
    const workloads: WorkloadPosture[] = [];
    for (const w of evaluator.workloads) {
      let copy = compacted.get(w);
      if (!copy) {
        copy = compactor.compact(w);
        compacted.set(w, copy);
        await pause();
      }
      workloads.push(copy);
    }
    const findings: Finding[] = [];
    for (const f of evaluator.findings) {
      let copy = incremental.findings.get(f);
      if (!copy) {
        copy = compactor.compact({
          ...f,
          object: { ...f.object, cluster: state.cluster },
        });
        incremental.findings.set(f, copy);
        await pause();
      }
      findings.push(copy);
    }
    let certificates = previous?.certificates;
    let enforcement = previous?.networkPolicyEnforcement;
    if (!certificates || !enforcement) {
      const objects = [...incremental.checked.values()];
      certificates = meshCertificates(objects, {
        now: this.now(),
        warningDays: this.options.certificateExpiryWarningDays,
        parseCertificate: parseX509,
      });
      enforcement = detectNetworkPolicyEnforcement(
        objects,
        daemonSetsRead(state),
      );
    }
    const engine = evaluator.engine;
    return {
      state,
      engine,
      workloads,
      findings: [
        ...findings,
        ...compactor.compact([
          ...certificateFindings(state.cluster, certificates),
          ...enforcementFindings(
            state.cluster,
            enforcement,
            evaluator.snapshot.networkPolicies,
          ),
        ]),
      ],
      certificates,
      networkPolicyEnforcement: enforcement,
      memo: new Map(),
      graph: new AccessGraph(engine, workloads, state.cluster, carried),
      incremental,
    };
  }
}

/**
 * Whether a change can change the cluster-wide checks: certificates (ConfigMaps holding trust
 * roots, cert-manager Certificates) or NetworkPolicy enforcement (DaemonSets).
 */
function affectsClusterChecks(identity: string): boolean {
  const [group, kind] = identity.split('\u0000');
  return (
    kind === 'ConfigMap' ||
    kind === 'DaemonSet' ||
    (group === 'cert-manager.io' && kind === 'Certificate')
  );
}

/**
 * Whether DaemonSets were read: manifests have no "forbidden"; a live cluster must have listed
 * them (now, or in the last good read whose objects are held).
 */
function daemonSetsRead(state: ClusterState): boolean {
  const daemonSets = state.kinds.find(k => k.key === 'apps/daemonsets');
  return (
    state.source === 'manifests' ||
    daemonSets?.state === 'ok' ||
    daemonSets?.fetchedAt !== undefined
  );
}

/** A kind that could not be read, as the client sees it. */
function failedKind(kind: KindStatus, fallback: string) {
  return {
    kind: kind.key,
    message: kind.message ?? fallback,
    ...(kind.since ? { since: kind.since } : {}),
    ...(kind.fetchedAt ? { fetchedAt: kind.fetchedAt } : {}),
  };
}

/**
 * The engine inputs of the kinds that could not be read and of which nothing is held (a kind
 * whose last good objects are held is answered from them), each with a reason naming the kind
 * and the cluster (docs/backend.md "Kinds that cannot be read").
 */
function unavailableInputs(
  state: ClusterState,
): Partial<Record<EngineInput, string>> {
  const out: Partial<Record<EngineInput, string>> = {};
  for (const kind of state.kinds) {
    if (kind.state !== 'forbidden' && kind.state !== 'error') continue;
    const input = engineInputOf(kind.key);
    if (!input || kind.fetchedAt) continue;
    const reason = `${kind.key} of cluster ${state.cluster} ${
      kind.state === 'forbidden' ? 'may not be read' : 'could not be read'
    } (${kind.message ?? kind.state})`;
    out[input] = out[input] ? `${out[input]}; ${reason}` : reason;
  }
  return out;
}

function pendingState(cluster: string): ClusterState {
  return {
    cluster,
    source: 'kubernetes',
    status: 'pending',
    generation: 0,
    consecutiveFailures: 0,
    kinds: [],
    requests: 0,
    objectCount: 0,
  };
}
