import {
  Finding,
  Snapshot,
  SnapshotWorkload,
  UNEVALUATED_KINDS,
  WORKLOAD_KINDS,
  WorkloadPosture,
} from '../model';
import { EngineContext, WorkloadInfo } from './core/context';
import { serviceAccountKey } from './core/identities';
import { EngineOptions } from './core/options';
import {
  ReadOptions,
  istioMeshConfigRevision,
  readObjects,
  sortPolicies,
} from './core/reader';
import { isObject } from './validate/check';
import { linkerdRefTarget } from './validate/linkerd';
import { finish } from './core/steps';
import { addFragment, Fragment, fragmentOf, listsOf } from './fragments';
import {
  keyOf,
  namespaceWorkloads,
  nameOf,
  workloadsAfterPods,
} from './namespaceWorkloads';
import {
  AccessGraph,
  accessGraphSteps,
  createAccessGraph,
} from './accessGraph';
import {
  Engine,
  engineOver,
  policyFindingSteps,
  postureOf,
  serviceAccountUsers,
} from '.';

/*
 * Incremental evaluation (docs/engine.md "Incremental evaluation"): the evaluator keeps the raw
 * objects, the snapshot, every workload's posture and info, and on a change re-reads and
 * re-evaluates only what the change can affect. Everything it cannot bound is re-evaluated in
 * full (`all`, with the reason). The result equals a from-scratch `readObjects` +
 * `createEngine().evaluate()` over the objects in the evaluator's order (incremental.test.ts).
 */

/**
 * One change of a raw object: `key` is its stable identity (kind, namespace and name), `object`
 * its new content, undefined when it was deleted.
 *
 * @public
 */
export type ObjectChange = { key: string; object?: unknown };

/**
 * What one {@link IncrementalEvaluator.apply} re-evaluated.
 *
 * @public
 */
export interface ChangeScope {
  /** Every workload was re-evaluated (mesh config, mesh-wide policy, anything not bounded). */
  all: boolean;
  /** Why every workload was re-evaluated (the first reason met). */
  reason?: string;
  /**
   * Keys (`namespace/kind/name`, the engine's workload keys) of the workloads whose posture was
   * re-evaluated, added or removed: the access graph's callers must be recomputed for them.
   */
  workloads: string[];
  /**
   * A workload's identity as a caller changed (labels, service account, namespace, membership,
   * egress policies, added or removed): every target's callers may change.
   */
  sourcesChanged: boolean;
}

/**
 * Evaluation kept up to date as objects change.
 *
 * @public
 */
export interface IncrementalEvaluator {
  /** The snapshot of the current objects (what `readObjects` gives from scratch). */
  readonly snapshot: Snapshot;
  /** A fresh engine over the current snapshot, for serving. */
  readonly engine: Engine;
  /**
   * The postures, as `createEngine(snapshot).evaluate().workloads`; a workload not re-evaluated
   * keeps its posture object (by identity) from before.
   */
  readonly workloads: WorkloadPosture[];
  /** The reader's findings, then the evaluation's (as from scratch, in the same order). */
  readonly findings: Finding[];
  /**
   * Applies changes (in order; a later change of the same key wins). Objects keep their place in
   * the evaluator's order when changed; new ones go last, as in a `Map`.
   */
  apply(changes: ObjectChange[]): ChangeScope;
  /**
   * As {@link IncrementalEvaluator.apply}, a step at a time: each `next()` of the generator does
   * a part of the work (a change read, a namespace re-read, a workload re-evaluated, the policy
   * findings, the access graph carried over), and its return value is the scope. Between steps
   * the caller may serve requests from an engine it took before (it is not changed); the
   * evaluator's own `snapshot`, `workloads`, `findings` and `engine` are read once the steps are
   * done. Drive it to its end: until then no other apply may start and `readAhead` reads nothing.
   */
  applySteps(changes: ObjectChange[]): Generator<void, ChangeScope, void>;
  /**
   * Reads ahead what the first change of an object other than a pod or controller would read:
   * the fragment of every such object given at creation (docs/engine.md "Incremental
   * evaluation"), one object at a time while `more()` answers true, so that the work can be
   * done in slices between requests instead of in that change's one block. Returns how many
   * objects are still to read (0: done). Answers are the same with or without it.
   */
  readAhead(more: () => boolean): number;
}

/**
 * Options of {@link createIncrementalEvaluator}: the reader's and the engine's.
 *
 * @public
 */
export type IncrementalOptions = ReadOptions & EngineOptions;

const WORKLOAD_KIND_SET = new Set<string>(WORKLOAD_KINDS);
/** Objects already read that the base of a snapshot takes in one step of an apply. */
const BASE_STEP = 256;
const UNEVALUATED_KIND_SET = new Set<string>(
  UNEVALUATED_KINDS.map(k => k.slice(k.indexOf('/') + 1)),
);

interface Entry {
  object: unknown;
  /** The namespace the reader gives the object (`default` when unset). */
  namespace: string;
  kind?: string;
  /** Pod or pod controller: read per namespace. */
  workload: boolean;
  /** The reader's findings about this object alone. */
  findings: Finding[];
  /** Not a pod or controller: what the reader reads from this object alone (when read). */
  fragment?: Fragment;
}

function entryOf(object: unknown, options: ReadOptions, read = true): Entry {
  const kind =
    isObject(object) && typeof object.kind === 'string'
      ? object.kind
      : undefined;
  const meta =
    isObject(object) && isObject(object.metadata) ? object.metadata : {};
  const namespace =
    typeof meta.namespace === 'string' && meta.namespace
      ? meta.namespace
      : 'default';
  const workload = kind !== undefined && WORKLOAD_KIND_SET.has(kind);
  const alone = read
    ? readObjects([object], { cluster: options.cluster })
    : undefined;
  return {
    object,
    // A Namespace object stands for the namespace it names.
    namespace: kind === 'Namespace' ? nameOf(object) ?? namespace : namespace,
    kind,
    workload,
    findings: alone?.findings ?? [],
    ...(alone && !workload ? { fragment: fragmentOf(alone.snapshot) } : {}),
  };
}

function specOf(object: unknown): Record<string, unknown> {
  return isObject(object) && isObject(object.spec) ? object.spec : {};
}

function groupOf(object: unknown): string {
  const v = isObject(object) ? object.apiVersion : undefined;
  if (typeof v !== 'string') return '';
  const i = v.lastIndexOf('/');
  return i < 0 ? '' : v.slice(0, i);
}

/** A NetworkPolicy that restricts egress: its pods' calls, to any target. */
function restrictsEgress(object: unknown): boolean {
  const spec = specOf(object);
  return (
    'egress' in spec ||
    (Array.isArray(spec.policyTypes) && spec.policyTypes.includes('Egress'))
  );
}

/**
 * What a caller is to the access graph: its template (labels select it; annotations and
 * containers may), its membership (which the pods' labels, annotations and containers decide:
 * core/mesh.ts), identity and mesh config, its outbound unmodelled objects, and its pods' IPs
 * when some policy reads IPs. Not its own ports, secrets, pod counts, or a pod's name or phase:
 * replacing a pod from the same template changes no caller.
 */
function callerFingerprint(info: WorkloadInfo, withIps: boolean): string {
  const w = info.w;
  return JSON.stringify([
    w.labels,
    w.annotations,
    w.serviceAccount,
    w.hostNetwork ?? false,
    w.containers,
    // Not the pod counts: a pod deleted before its replacement is added changes no caller.
    info.membership.mesh,
    info.membership.unknown ?? null,
    info.membership.mixed ?? null,
    info.membership.pods.meshed === info.membership.pods.total,
    info.identity,
    info.principal ?? null,
    info.istioMesh,
    info.notEvaluated.outbound.map(n => n.ref),
    withIps ? info.ips ?? null : null,
  ]);
}

/**
 * What the policy-level findings can read of a workload (core/context.ts `WorkloadInfo`): all of
 * its info but its pods' names, IPs and phases (its pod counts stay, in the membership). No
 * policy-level finding reads a pod or an IP (findings/); a pod replaced from the same template
 * leaves it unchanged.
 */
function policyInputs(info: WorkloadInfo): string {
  return JSON.stringify([
    { ...info.w, pods: null },
    { ...info, w: null, ips: null },
  ]);
}

/**
 * Per policy object, whether its spec may match callers by IP. The snapshot's objects are never
 * changed, and an object a change leaves alone keeps its object (its entry's fragment) from one
 * apply to the next: after the first apply, a policy edit checks the edited policy, not every
 * policy's spec again (that was 3–10 ms of one step for 10,000 pods: docs/benchmarks.md "What
 * holds the event loop during churn").
 */
const specReadsIps = new WeakMap<object, boolean>();

function policyReadsIps(p: { spec?: unknown }): boolean {
  let reads = specReadsIps.get(p);
  if (reads === undefined) {
    reads = /ipblock|network|cidr|entities/i.test(JSON.stringify(p.spec));
    specReadsIps.set(p, reads);
  }
  return reads;
}

/**
 * Whether some policy may match callers by IP (ipBlocks, networks, CIDRs): then a pod's IP is
 * part of its identity as a caller.
 */
function readsCallerIps(snapshot: Snapshot): boolean {
  const lists: Array<Array<{ spec?: unknown }>> = [
    snapshot.networkPolicies,
    snapshot.istio.authorizationPolicies,
    snapshot.linkerd.serverAuthorizations,
    snapshot.linkerd.networkAuthentications,
    snapshot.unevaluated ?? [],
  ];
  return lists.some(list => list.some(policyReadsIps));
}

class Incremental implements IncrementalEvaluator {
  snapshot!: Snapshot;
  workloads: WorkloadPosture[] = [];
  findings: Finding[] = [];
  private context!: EngineContext;
  private served?: Engine;
  private saUsers = new Map<string, number>();
  private readonly entries = new Map<string, Entry>();
  /** Pods and controllers by namespace, in the evaluator's order. */
  private readonly byNamespace = new Map<string, Map<string, Entry>>();
  /** The snapshot read from every object but pods and controllers. */
  private base!: Snapshot;
  private callerIps = false;
  /** The workloads of each namespace, as the reader gives them. */
  private readonly nsWorkloads = new Map<string, SnapshotWorkload[]>();
  /**
   * Per workload key: its info and posture, and the evaluation that computed them (they hold for
   * every evaluation from that one until the entry is replaced).
   */
  private readonly state = new Map<
    string,
    { info: WorkloadInfo; posture: WorkloadPosture; since: number }
  >();
  /** How many evaluations were made (the first is 1). */
  private evaluations = 0;
  private readerFindings: Finding[] = [];
  /** The policy-level findings of the last evaluation. */
  private policyFindings: Finding[] = [];
  /** Some object with reader findings changed: collect them again, in order. */
  private readerFindingsStale = true;

  constructor(
    objects: Array<{ key: string; object: unknown }>,
    private readonly options: IncrementalOptions,
  ) {
    for (const { key, object } of objects)
      this.replace(key, this.entries.get(key), entryOf(object, options, false));
    const read = readObjects(this.objects(), { cluster: options.cluster });
    this.attributeFindings(read.findings);
    for (const w of read.snapshot.workloads) {
      const list = this.nsWorkloads.get(w.namespace);
      if (list) list.push(w);
      else this.nsWorkloads.set(w.namespace, [w]);
    }
    // The reader reads every kind on its own: the rest of the snapshot is the same without pods.
    this.base = { ...read.snapshot, workloads: [] };
    this.callerIps = readsCallerIps(this.base);
    this.snapshot = this.assemble();
    finish(this.evaluate(true, new Set()));
  }

  /**
   * Gives each object its reader findings (they are per object, in the objects' order): only the
   * objects a finding names are read alone, and all of them if that does not add up.
   */
  private attributeFindings(findings: Finding[]): void {
    if (findings.length === 0) return;
    const named = new Set(
      findings.map(f => `${f.object.kind}\u0000${f.object.name}`),
    );
    const cluster = { cluster: this.options.cluster };
    const attribute = (every: boolean) => {
      for (const e of this.entries.values())
        e.findings =
          every ||
          named.has(
            `${e.kind ?? 'Unknown'}\u0000${nameOf(e.object) ?? '(unnamed)'}`,
          )
            ? readObjects([e.object], cluster).findings
            : [];
    };
    attribute(false);
    const collected = [...this.entries.values()].flatMap(e => e.findings);
    if (JSON.stringify(collected) !== JSON.stringify(findings)) attribute(true);
  }

  get engine(): Engine {
    if (this.applying)
      throw new Error('an apply is in progress: drive its steps to their end');
    return (this.served ??= engineOver(
      this.context,
      this.saUsers,
      (this.graph ??= createAccessGraph(this.context)),
    ));
  }

  /**
   * The access graph of the current context, once an engine was served: each apply carries it
   * over to the next snapshot (docs/engine.md "Access graph", carry-over).
   */
  private graph?: AccessGraph;

  apply(changes: ObjectChange[]): ChangeScope {
    return finish(this.applySteps(changes));
  }

  /** An apply's steps are being taken (see `applySteps`). */
  private applying = false;

  *applySteps(changes: ObjectChange[]): Generator<void, ChangeScope, void> {
    if (this.applying)
      throw new Error('an apply is in progress: drive its steps to their end');
    this.applying = true;
    try {
      return yield* this.steps(changes);
    } finally {
      this.applying = false;
    }
  }

  private *steps(changes: ObjectChange[]): Generator<void, ChangeScope, void> {
    let all: string | undefined;
    let sourcesChanged = false;
    let baseChanged = false;
    const namespaces = new Set<string>();
    /**
     * The namespaces whose pods or controllers changed, with the pods' names; null once a
     * controller (or a nameless pod) changed there.
     */
    const changedPods = new Map<string, Set<string> | null>();
    const root = this.context.options.rootNamespace;
    const everything = (why: string) => {
      all ??= why;
    };
    for (const { key, object } of changes) {
      const before = this.entries.get(key);
      if (before === undefined && object === undefined) continue;
      if (
        before !== undefined &&
        object !== undefined &&
        (before.object === object ||
          JSON.stringify(before.object) === JSON.stringify(object))
      ) {
        before.object = object;
        continue;
      }
      const after =
        object === undefined ? undefined : entryOf(object, this.options);
      this.replace(key, before, after);
      for (const e of [before, after]) {
        if (!e) continue;
        if (e.workload) {
          const name = e.kind === 'Pod' ? nameOf(e.object) : undefined;
          const pods = changedPods.get(e.namespace);
          if (name === undefined) changedPods.set(e.namespace, null);
          else if (pods === undefined)
            changedPods.set(e.namespace, new Set([name]));
          else pods?.add(name);
          continue;
        }
        const why = this.classify(e, root);
        if (why === 'ignored') continue;
        baseChanged = true;
        if (why === 'namespace') namespaces.add(e.namespace);
        else if (why === 'referrers') {
          namespaces.add(e.namespace);
          for (const ns of this.referrers(e)) namespaces.add(ns);
        } else if (why === 'sources') {
          namespaces.add(e.namespace);
          sourcesChanged = true;
        } else everything(why);
      }
      yield;
    }

    // Re-read what changed: the namespaces' pods and controllers, the other objects together.
    if (baseChanged) {
      this.base = yield* this.assembleBase();
      this.callerIps = readsCallerIps(this.base);
      yield;
    }
    const { changed, removed, serviceAccounts } = yield* this.rereadWorkloads(
      changedPods,
    );
    if (removed.length > 0 || changed.added) sourcesChanged = true;
    if (
      (changed.keys.size > 0 || removed.length > 0) &&
      this.base.unevaluated?.some(o => o.kind === 'ServiceEntry')
    )
      everything(
        'pods changed and ServiceEntries resolve pod IPs and selectors across namespaces',
      );
    this.snapshot = this.assemble();
    yield;

    const before = this.context;
    const oldUsers = this.saUsers;
    const users = serviceAccountUsers(this.snapshot);
    const affected = new Set(changed.keys);
    for (const key of removed) this.state.delete(key);
    if (all === undefined) {
      for (const sa of serviceAccounts)
        if (users.get(sa) !== oldUsers.get(sa)) {
          for (const w of this.snapshot.workloads)
            if (serviceAccountKey(w) === sa) affected.add(keyOf(w));
          yield;
        }
      for (const ns of namespaces)
        for (const w of this.nsWorkloads.get(ns) ?? []) affected.add(keyOf(w));
    }
    // The policy-level findings read the other objects and the workloads' infos: with the same
    // objects and the same workloads, they are kept when no re-evaluated info changed for them.
    const reevaluated = yield* this.evaluate(
      all !== undefined,
      affected,
      !baseChanged && removed.length === 0 && !changed.added,
      users,
    );
    if (all === undefined && sourceSet(before) !== sourceSet(this.context)) {
      // An unmodelled object's scope depends on other workloads (a revision without its mesh
      // ConfigMap, a Sidecar's issues): whoever it applies to may have changed.
      everything('the scopes of unmodelled objects changed');
      reevaluated.splice(
        0,
        reevaluated.length,
        ...(yield* this.evaluate(true, new Set(), false, users)),
      );
    }
    if (all !== undefined) sourcesChanged = true;
    else if (!sourcesChanged)
      for (const key of changed.keys) {
        const now = this.state.get(key)?.info;
        const was = this.previousInfos.get(key);
        if (
          !now ||
          !was ||
          callerFingerprint(now, this.callerIps) !==
            callerFingerprint(was, this.callerIps)
        ) {
          sourcesChanged = true;
          break;
        }
      }
    this.previousInfos.clear();
    const scope: ChangeScope = {
      all: all !== undefined,
      ...(all !== undefined ? { reason: all } : {}),
      workloads: [...reevaluated, ...removed],
      sourcesChanged,
    };
    // The graph of the previous snapshot, carried over (or rebuilt when the scope says so).
    if (this.graph) {
      yield;
      this.graph = yield* accessGraphSteps(this.context, {
        previous: this.graph,
        scope,
        onlyWorkloadsChanged: !baseChanged && all === undefined,
      });
    }
    return scope;
  }

  /**
   * Re-reads the pods and controllers of the namespaces `changedPods` names; a workload read as
   * before keeps its object. Where only pods changed, only their workloads are read again
   * ({@link workloadsAfterPods}). Returns the keys of the workloads changed or added,
   * removed, and the service accounts they run as (before and after).
   */
  private *rereadWorkloads(
    changedPods: Map<string, Set<string> | null>,
  ): Generator<
    void,
    {
      changed: { keys: Set<string>; added: boolean };
      removed: string[];
      serviceAccounts: Set<string>;
    },
    void
  > {
    const changed = { keys: new Set<string>(), added: false };
    const removed: string[] = [];
    const serviceAccounts = new Set<string>();
    const { cluster } = this.options;
    for (const [ns, pods] of changedPods) {
      const bucket = this.byNamespace.get(ns);
      const current = this.nsWorkloads.get(ns);
      const fresh =
        (pods &&
          bucket &&
          workloadsAfterPods(current, bucket, pods, cluster)) ??
        namespaceWorkloads(bucket, () => true, cluster);
      const old = new Map((current ?? []).map(w => [keyOf(w), w]));
      const kept: SnapshotWorkload[] = [];
      for (const w of fresh) {
        const key = keyOf(w);
        const was = old.get(key);
        old.delete(key);
        if (was && (was === w || JSON.stringify(was) === JSON.stringify(w))) {
          kept.push(was);
          continue;
        }
        kept.push(w);
        changed.keys.add(key);
        serviceAccounts.add(serviceAccountKey(w));
        if (was) serviceAccounts.add(serviceAccountKey(was));
        else changed.added = true;
      }
      for (const [key, w] of old) {
        removed.push(key);
        serviceAccounts.add(serviceAccountKey(w));
      }
      if (kept.length > 0) this.nsWorkloads.set(ns, kept);
      else this.nsWorkloads.delete(ns);
      yield;
    }
    return { changed, removed, serviceAccounts };
  }

  /** Each workload object's key, built once (the evaluation looks every workload up). */
  private readonly keys = new WeakMap<SnapshotWorkload, string>();

  private keyFor(w: SnapshotWorkload): string {
    let key = this.keys.get(w);
    if (key === undefined) this.keys.set(w, (key = keyOf(w)));
    return key;
  }

  /** Infos replaced by the last evaluation (to compare callers). */
  private readonly previousInfos = new Map<string, WorkloadInfo>();

  /**
   * Re-evaluates the `affected` workloads (every one when `all`) and the policy findings; the
   * others keep their posture and info. With `sameObjects` (no object but pods and controllers
   * changed, no workload added or removed), the policy findings are kept when every workload
   * re-evaluated has the same {@link policyInputs} as before. `users`: the snapshot's
   * `serviceAccountUsers`, when known. Returns the keys re-evaluated. A step at a time: the new
   * context, each workload re-evaluated, the policy findings.
   */
  private *evaluate(
    all: boolean,
    affected: Set<string>,
    sameObjects = false,
    users?: Map<string, number>,
  ): Generator<void, string[], void> {
    const snapshot = this.snapshot;
    const evaluation = ++this.evaluations;
    this.context = new EngineContext(snapshot, this.options, this.context);
    this.served = undefined;
    this.saUsers = users ?? serviceAccountUsers(snapshot);
    const context = this.context;
    const reevaluated: string[] = [];
    let keepPolicyFindings = sameObjects && !all;
    yield;
    const workloads: WorkloadPosture[] = [];
    for (const w of snapshot.workloads) {
      const key = this.keyFor(w);
      const held = this.state.get(key);
      if (!all && held && held.info.w === w && !affected.has(key)) {
        context.adoptInfo(held.info);
        workloads.push(held.posture);
        continue;
      }
      reevaluated.push(key);
      const info = context.info(w);
      if (held) this.previousInfos.set(key, held.info);
      if (
        keepPolicyFindings &&
        (!held || policyInputs(held.info) !== policyInputs(info))
      )
        keepPolicyFindings = false;
      let posture = postureOf(context, info, this.saUsers);
      // Re-evaluated alike: the same object, so that the backend compacts only new postures.
      if (held && JSON.stringify(held.posture) === JSON.stringify(posture))
        posture = held.posture;
      this.state.set(key, { info, posture, since: evaluation });
      workloads.push(posture);
      yield;
    }
    // `apply` forgets the workloads removed; anything else gone (never, as read) is found here.
    if (this.state.size > workloads.length) {
      const present = new Set(snapshot.workloads.map(w => this.keyFor(w)));
      for (const key of this.state.keys())
        if (!present.has(key)) this.state.delete(key);
    }
    this.workloads = workloads;
    // Every workload's info of this context is held now; the context releases its own once its
    // access graph is built, and reads these afterwards (an engine served before a later change
    // reads those the change did not replace, and computes the others).
    context.holdInfos(w => {
      const held = this.state.get(this.keyFor(w));
      return held && held.since <= evaluation && held.info.w === w
        ? held.info
        : undefined;
    });
    if (this.readerFindingsStale) {
      this.readerFindings = [...this.entries.values()].flatMap(e => e.findings);
      this.readerFindingsStale = false;
    }
    if (!keepPolicyFindings) {
      yield;
      this.policyFindings = yield* policyFindingSteps(context);
    }
    this.findings = [
      ...this.readerFindings,
      ...workloads.flatMap(w => w.findings),
      ...this.policyFindings,
    ];
    return reevaluated;
  }

  /**
   * Why a change of a non-workload object re-evaluates: `namespace` (the workloads of its
   * namespace), `sources` (those, and every target's callers), `ignored` (nothing the engine
   * reads), else the reason to re-evaluate everything.
   */
  private classify(
    e: Entry,
    root: string,
  ): 'ignored' | 'namespace' | 'sources' | 'referrers' | string {
    const kind = e.kind;
    const object = e.object;
    const group = groupOf(object);
    switch (kind) {
      case undefined:
        return 'ignored';
      case 'Namespace':
        // Its labels and annotations: membership, waypoints, Linkerd defaults of its workloads;
        // NetworkPolicy namespaceSelectors of every target's callers.
        return 'sources';
      case 'ServiceAccount':
        return 'ignored';
      case 'ConfigMap': {
        const name = nameOf(object) ?? '';
        return name === 'istio' ||
          name === 'linkerd-config' ||
          istioMeshConfigRevision(e.namespace, name) !== undefined
          ? `mesh configuration ConfigMap ${e.namespace}/${name} changed`
          : 'ignored';
      }
      case 'PeerAuthentication':
        if (group !== 'security.istio.io') return 'ignored';
        return e.namespace === root
          ? `mesh-wide PeerAuthentication in root namespace ${root} changed`
          : 'namespace';
      case 'AuthorizationPolicy':
        if (group === 'policy.linkerd.io') return 'namespace';
        if (group !== 'security.istio.io') return 'ignored';
        if (e.namespace === root)
          return `mesh-wide AuthorizationPolicy in root namespace ${root} changed`;
        {
          const spec = specOf(object);
          if ('targetRef' in spec || 'targetRefs' in spec)
            return 'AuthorizationPolicy with targetRefs changed (waypoints and Services serve other namespaces)';
        }
        return 'namespace';
      case 'NetworkPolicy':
        if (group !== 'networking.k8s.io') return 'ignored';
        return restrictsEgress(object) ? 'sources' : 'namespace';
      case 'Server':
      case 'ServerAuthorization':
        return group === 'policy.linkerd.io' ? 'namespace' : 'ignored';
      case 'HTTPRoute':
        // A route whose parent is a Service steers the clients' traffic; the Gateway API's are
        // read where they attach to a Server (of their namespace) only.
        if (group === 'policy.linkerd.io') return 'sources';
        return group === 'gateway.networking.k8s.io' ? 'namespace' : 'ignored';
      case 'ExternalSecret':
        return 'namespace';
      case 'MeshTLSAuthentication':
      case 'NetworkAuthentication':
        // Read through the Linkerd AuthorizationPolicies naming it, of any namespace.
        return group === 'policy.linkerd.io' ? 'referrers' : 'ignored';
      case 'DestinationRule': {
        // Read by the clients of its namespace (any target's callers) and, for its namespace's
        // hosts, by every client (the callers of its namespace's workloads); the posture reads
        // the rules the Service's own namespace sees (its own and the root namespace's).
        if (group !== 'networking.istio.io') return 'ignored';
        if (e.namespace === root)
          return `DestinationRule in root namespace ${root} changed`;
        if ('exportTo' in specOf(object))
          return 'DestinationRule with exportTo changed (other namespaces see it)';
        return this.sidecarsOrEntries() ?? 'sources';
      }
      case 'Service': {
        // Read for its namespace's workloads: protocols, DestinationRule hosts, waypoint labels.
        if (group !== '') return 'ignored';
        const meta =
          isObject(object) && isObject(object.metadata) ? object.metadata : {};
        const exported =
          isObject(meta.annotations) &&
          'networking.istio.io/exportTo' in meta.annotations;
        return this.sidecarsOrEntries() ?? (exported ? 'sources' : 'namespace');
      }
      default:
        if (UNEVALUATED_KIND_SET.has(kind))
          return `${kind} changed (cluster-wide or unmodelled object)`;
        return 'ignored';
    }
  }

  /**
   * The namespaces of the Linkerd AuthorizationPolicies whose `requiredAuthenticationRefs` name
   * the object (a ref without a namespace names the policy's own). A policy changed in the same
   * batch adds its own namespace.
   */
  private referrers(e: Entry): Set<string> {
    const out = new Set<string>();
    const name = nameOf(e.object);
    for (const ap of this.base.linkerd.authorizationPolicies) {
      const refs = ap.spec.requiredAuthenticationRefs;
      if (
        Array.isArray(refs) &&
        refs.some(
          r =>
            isObject(r) &&
            linkerdRefTarget(r) === e.kind &&
            r.name === name &&
            (typeof r.namespace === 'string' && r.namespace
              ? r.namespace
              : ap.namespace) === e.namespace,
        )
      )
        out.add(ap.namespace);
    }
    return out;
  }

  /** Why Services and DestinationRules are not bounded: Sidecars and ServiceEntries read them. */
  private sidecarsOrEntries(): string | undefined {
    const kinds = new Set((this.base.unevaluated ?? []).map(o => o.kind));
    if (kinds.has('Sidecar'))
      return 'Service or DestinationRule changed while Sidecars exist (their egress hosts name Services)';
    if (kinds.has('ServiceEntry'))
      return 'Service or DestinationRule changed while ServiceEntries exist (their hosts name Services)';
    return undefined;
  }

  /**
   * The snapshot of every object but pods and controllers, from each object's own reading (read
   * once per version of the object; the first time for the objects given at creation, a step
   * per object read then, unless `readAhead` read them before).
   */
  private *assembleBase(): Generator<void, Snapshot, void> {
    const base = readObjects([], { cluster: this.options.cluster }).snapshot;
    const lists = new Map(listsOf(base));
    let added = 0;
    for (const e of this.entries.values()) {
      if (e.workload) continue;
      const read = e.fragment === undefined;
      addFragment(base, lists, this.fragmentOf(e));
      // A step per object read, and per BASE_STEP objects already read (read ahead, 5,000 of
      // them took up to 9 ms in one step).
      if (read || ++added === BASE_STEP) {
        added = 0;
        yield;
      }
    }
    sortPolicies(base);
    return base;
  }

  /** What the reader reads from the entry's object alone, read once. */
  private fragmentOf(e: Entry): Fragment {
    return (e.fragment ??= fragmentOf(
      readObjects([e.object], { cluster: this.options.cluster }).snapshot,
    ));
  }

  /** Objects other than pods and controllers whose fragment is not read yet. */
  private unread?: Array<[string, Entry]>;

  readAhead(more: () => boolean): number {
    this.unread ??= [...this.entries].filter(
      ([, e]) => !e.workload && !e.fragment,
    );
    // Not between an apply's steps: its changes are half taken.
    if (this.applying) return this.unread.length;
    while (this.unread.length > 0 && more()) {
      const [key, e] = this.unread.pop()!;
      // An object changed meanwhile was read when it changed (its new entry is not listed).
      if (this.entries.get(key) === e) this.fragmentOf(e);
    }
    return this.unread.length;
  }

  /** The objects in the evaluator's order. */
  private objects(): unknown[] {
    return [...this.entries.values()].map(e => e.object);
  }

  /** Replaces an object, keeping its place (in the buckets as well) when it stays. */
  private replace(key: string, before?: Entry, after?: Entry): void {
    if (before?.findings.length || after?.findings.length)
      this.readerFindingsStale = true;
    if (after) this.entries.set(key, after);
    else this.entries.delete(key);
    if (before?.workload) {
      const bucket = this.byNamespace.get(before.namespace)!;
      if (after?.workload && after.namespace === before.namespace) {
        bucket.set(key, after);
        return;
      }
      bucket.delete(key);
      if (bucket.size === 0) this.byNamespace.delete(before.namespace);
    }
    if (!after?.workload) return;
    let bucket = this.byNamespace.get(after.namespace);
    if (!bucket) this.byNamespace.set(after.namespace, (bucket = new Map()));
    if (!before) {
      // A new object is the last one of the evaluator's order.
      bucket.set(key, after);
      return;
    }
    // Kept its place in the order but moved namespace: rebuild the bucket in order.
    bucket.clear();
    for (const [k, x] of this.entries)
      if (x.workload && x.namespace === after.namespace) bucket.set(k, x);
  }

  private assemble(): Snapshot {
    const names = [...this.nsWorkloads.keys()].sort((a, b) =>
      a.localeCompare(b),
    );
    return {
      ...this.base,
      workloads: names.flatMap(ns => this.nsWorkloads.get(ns)!),
    };
  }
}

/**
 * Builds an evaluator over raw objects (as `readObjects` takes them, each with its key), to
 * which changes are then applied (docs/engine.md "Incremental evaluation").
 *
 * @public
 */
export function createIncrementalEvaluator(
  objects: Array<{ key: string; object: unknown }>,
  options: IncrementalOptions = {},
): IncrementalEvaluator {
  return new Incremental(objects, options);
}

/** The unmodelled objects' scopes of a context (refs and sides), to compare. */
function sourceSet(context: EngineContext): string {
  return JSON.stringify(
    context.unevaluated.sources.map(s => [s.ref, s.inbound, s.outbound]),
  );
}
