import {
  certificateFindings,
  ClusterFreshness,
  ClusterStatus,
  detectNetworkPolicyEnforcement,
  EngineInput,
  enforcementFindings,
  Finding,
  MeshCertificate,
  meshCertificates,
  WorkloadPosture,
  createEngine,
  readObjects,
} from '@mesh-security/plugin-mesh-security-common';
import { prepareViews } from '../service/prepareViews';
import { KindStatus } from '../sources/ClusterSource';
import { engineInputOf } from '../sources/kinds';
import { AccessGraph } from './AccessGraph';
import { Compactor } from './compact';
import { parseX509 } from './certificates';
import { SnapshotStore } from './SnapshotStore';
import { ClusterState } from './types';

type Engine = ReturnType<typeof createEngine>;

/** One cluster's evaluated snapshot, held in memory by every replica. */
export interface ClusterView {
  state: ClusterState;
  /** Absent until the first good read. */
  engine?: Engine;
  workloads: WorkloadPosture[];
  /** Findings about objects (malformed, policies selecting nothing, ...). */
  findings: Finding[];
  certificates: MeshCertificate[];
  networkPolicyEnforcement: ClusterStatus['networkPolicyEnforcement'];
  /** Per-workload results computed on first request, valid for this generation only. */
  memo: Map<string, unknown>;
  /** Who may call whom, built in the background for this generation. */
  graph?: AccessGraph;
}

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

  async get(cluster: string): Promise<ClusterView> {
    const state = (await this.store.getState(cluster)) ?? pendingState(cluster);
    const held = this.views.get(cluster);
    if (held && held.state.generation === state.generation) {
      // Same objects; the state (reachability, age) may still have changed.
      held.state = state;
      return held;
    }
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
    const view = await this.build(state);
    if (this.views.get(cluster) !== view) {
      this.views.get(cluster)?.graph?.cancel();
      this.views.set(cluster, view);
      view.graph
        ?.build()
        .then(() => prepareViews(view))
        .catch(error => this.options.onError?.(cluster, error as Error));
    }
    return view;
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

    const read = readObjects(stored.objects, { cluster: state.cluster });
    const readerFindings = read.findings;
    // The engine serving requests keeps the snapshot for the whole generation: equal parts of
    // its objects (labels, container lists, ports, selectors, rules) shared, strings flat —
    // about a fifth of the memory a replica keeps per pod. In slices, off the request path.
    const compactor = new Compactor();
    const snapshot = await compactor.compactInSlices(read.snapshot);
    const engineOptions = {
      cluster: state.cluster,
      linkerdDefaultInboundPolicy: this.options.linkerdDefaultInboundPolicy,
      platformNamespaces: this.options.platformNamespaces,
      unavailable: unavailableInputs(state),
    };
    // Evaluating every workload fills an engine's per-workload caches (findings, scorecards)
    // for the whole cluster: that engine is dropped after `evaluate`. Requests and the access
    // graph are served by a second engine over the same snapshot.
    const builder = createEngine(snapshot, engineOptions);
    const evaluation = compactor.compact(builder.evaluate());
    const engine = createEngine(snapshot, engineOptions);
    const daemonSets = state.kinds.find(k => k.key === 'apps/daemonsets');
    const certificates = meshCertificates(stored.objects, {
      now: this.now(),
      warningDays: this.options.certificateExpiryWarningDays,
      parseCertificate: parseX509,
    });
    const networkPolicyEnforcement = detectNetworkPolicyEnforcement(
      stored.objects,
      // Manifests have no "forbidden"; a live cluster must have listed DaemonSets (now, or in
      // the last good read whose objects are held).
      state.source === 'manifests' ||
        daemonSets?.state === 'ok' ||
        daemonSets?.fetchedAt !== undefined,
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
