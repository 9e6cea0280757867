/*
 * The REST API of the `mesh-security` backend plugin: request and response types shared by the
 * backend, the frontend client, the scaffolder actions and anyone scripting against it.
 * Every route requires Backstage user or service credentials.
 */
import { AccessChangeKind } from './accessChanges';
import {
  AccessDecision,
  AccessEdge,
  Finding,
  JsonObject,
  Mesh,
  MtlsMode,
  Scorecard,
  EdgeTraffic,
  Severity,
  TrafficObservations,
  UnmatchedTraffic,
  WorkloadPosture,
  WorkloadRef,
  WorkloadTraffic,
} from './model';

/**
 * One public certificate of a mesh's trust chain.
 *
 * @public
 */
export interface MeshCertificate {
  /**
   * What the certificate is: `istio-root` (Istio's root CA, from ConfigMap
   * `istio-system/istio-ca-root-cert`), `linkerd-trust-anchor` (Linkerd's trust anchor, from
   * ConfigMap `linkerd/linkerd-identity-trust-roots`), or `cert-manager` (a cert-manager
   * `Certificate` that issues a mesh CA, e.g. Istio's `cacerts` or Linkerd's identity issuer).
   */
  role: 'istio-root' | 'linkerd-trust-anchor' | 'cert-manager';
  /** The object it was read from: the ConfigMap or the cert-manager `Certificate`. */
  object: { kind: string; namespace: string; name: string };
  /**
   * Subject distinguished name (ConfigMaps), or `spec.commonName` (cert-manager); absent when
   * the certificate could not be read or has no common name.
   */
  subject?: string;
  /**
   * Issuer distinguished name (ConfigMaps), or the issuer reference as `Kind/name`
   * (cert-manager); absent when unknown.
   */
  issuer?: string;
  /** ISO timestamp. */
  notAfter?: string;
  /** Whole days until `notAfter` (negative once expired); absent when `notAfter` is unknown. */
  daysLeft?: number;
  /**
   * `ok`; `expiring`: fewer days left than the backend's warning threshold; `expired`: past
   * `notAfter`; `unknown`: the certificate could not be read (see `message`).
   */
  state: 'ok' | 'expiring' | 'expired' | 'unknown';
  /** Why the state is `unknown` (e.g. no PEM block, cert-manager has not reported yet). */
  message?: string;
}

/**
 * A kind of a cluster that the last read could not read.
 *
 * @public
 */
export interface FailedKind {
  /** The kind, e.g. `security.istio.io/authorizationpolicies`, or `file:<path>` (manifests). */
  kind: string;
  /** What went wrong (e.g. the missing RBAC verb, the HTTP status, a bound reached). */
  message: string;
  /** Since when (ISO) reads of this kind fail. */
  since?: string;
  /**
   * When the objects of this kind that answers use were read (ISO): the last good read's, kept
   * while reads fail. Absent when none was ever read: every verdict that depends on the kind is
   * then `UNKNOWN` or cannot be evaluated.
   */
  fetchedAt?: string;
}

/**
 * Why an answer is partial: a cluster not (fully or recently) read, or one kind of it.
 *
 * @public
 */
export interface PartialReason {
  /** The cluster. */
  cluster: string;
  /** The kind not read (as in {@link FailedKind}); absent when the reason is the whole cluster. */
  kind?: string;
  /**
   * `pending`: the cluster was not read yet; `unreachable`: its last reads failed; `stale`: its
   * snapshot is older than three refresh intervals; `forbidden`, `error`: the kind could not be
   * read.
   */
  state: 'pending' | 'unreachable' | 'stale' | 'forbidden' | 'error';
  /** What went wrong, safe to show. */
  message: string;
  /** Since when (ISO) the problem exists, when known. */
  since?: string;
  /**
   * When the data answers use instead was read (ISO); absent when there is none: verdicts that
   * depend on it are `UNKNOWN` or cannot be evaluated.
   */
  fetchedAt?: string;
}

/**
 * How one cluster was read, and what that means for the answers built from it.
 *
 * @public
 */
export interface ClusterStatus {
  /** Cluster name as configured (the `cluster` of workloads and findings read from it). */
  name: string;
  /**
   * Where objects come from: `kubernetes` (listed or watched from the cluster's API server) or
   * `manifests` (read from a directory of manifest files).
   */
  source: 'kubernetes' | 'manifests';
  /** `pending`: never read yet; `unreachable`: the last reads failed (older data is served). */
  status: 'pending' | 'ok' | 'unreachable';
  /** The snapshot is older than three refresh intervals. */
  stale: boolean;
  /** Age of the snapshot being served, in seconds; null before the first read. */
  snapshotAgeSeconds: number | null;
  /** When the served snapshot was read (ISO). */
  fetchedAt?: string;
  /** While unreachable: since when (ISO) and why. */
  unreachableSince?: string;
  /**
   * Why the last read failed; absent once a read succeeds. The error itself, which can name a
   * server address or a path, only for callers with `mesh-security.overview.read` (the platform
   * view); anyone else reads that the cluster could not be read and that the platform team sees
   * the details.
   */
  error?: string;
  /** Kinds whose CRD is not installed (e.g. `policy.linkerd.io/servers`): that mesh is absent. */
  notInstalled: string[];
  /**
   * Kinds the configured credentials may not list, with the missing RBAC verb (see
   * {@link FailedKind}).
   */
  forbidden: FailedKind[];
  /** Kinds (or manifest files) that could not be read for another reason. */
  errors: FailedKind[];
  /**
   * Whether anything enforces NetworkPolicies: the API server stores them whatever the network
   * plugin, but only a plugin implementing them filters traffic. `enforced` names the `enforcer`
   * recognised from its node agent (e.g. `cilium`, `calico`); `notEnforced`: no known enforcer
   * runs; `unknown`: DaemonSets could not be read, or the cluster was not read yet. `reason`
   * explains the state in one line.
   */
  networkPolicyEnforcement: {
    state: 'enforced' | 'notEnforced' | 'unknown';
    enforcer?: string;
    reason: string;
  };
  /** The meshes' trust roots and CA certificates found (public data only; never Secrets). */
  certificates: MeshCertificate[];
  /** Objects held for this cluster. */
  objectCount: number;
  /** Size of the held (trimmed) objects as JSON, in bytes: the memory the snapshot costs. */
  snapshotBytes: number;
  /** The access graph of this snapshot is fully built (views no longer compute any of it). */
  accessGraphReady?: boolean;
  /**
   * How current the served objects are (docs/backend.md "Watches"); absent from backends older
   * than this field.
   */
  freshness?: ClusterFreshness;
}

/**
 * How current a cluster's served objects are.
 *
 * - `live`: every kind is watched and the backend confirmed it is up to date within the last
 *   few seconds (`lagSeconds` small).
 * - `behind`: the watching replica has not confirmed for `lagSeconds` (it stopped, or it cannot
 *   keep up); answers are what was known then.
 * - `reconnecting`: the watch of one or more kinds (`reconnecting`) is down and being resumed;
 *   those kinds may miss changes until it is back.
 * - `polling`: the cluster is read periodically (manifests, or watches turned off with
 *   `meshSecurity.watch.enabled`); `lagSeconds` is the age of the last read.
 * - `pending`: nothing read yet.
 *
 * @public
 */
export interface ClusterFreshness {
  /** See the states above. */
  state: 'live' | 'behind' | 'reconnecting' | 'polling' | 'pending';
  /** `watch`: listed once, then watched; `poll`: read in full every refresh interval. */
  mode: 'watch' | 'poll';
  /**
   * Seconds between now and the last moment the served objects were known to be current (the
   * watcher's last confirmation, or the last read); null before the first read.
   */
  lagSeconds: number | null;
  /** When the last change event or bookmark arrived from the API server (ISO); watch only. */
  lastEventAt?: string;
  /** Kinds whose watch stream is down and being resumed (e.g. `pods`). */
  reconnecting?: string[];
}

/**
 * A policy object as a Kubernetes manifest: what `kubectl get -o json` would show of it, limited
 * to the fields Mesh Security reads (no status, no server-set metadata).
 *
 * @public
 */
export interface PolicyManifest {
  /** `group/version`, e.g. `security.istio.io/v1`. */
  apiVersion: string;
  /** Kind, e.g. `PeerAuthentication`. */
  kind: string;
  /** The object's name, namespace and (when it has any) labels. */
  metadata: {
    /** Policy name. */
    name: string;
    /** Namespace of the policy. */
    namespace: string;
    /** The object's labels; absent when it has none. */
    labels?: Record<string, string>;
  };
  /** The object's `spec`, as read from the cluster. */
  spec: JsonObject;
}

/**
 * A policy that applies to a workload, with its manifest. Consumers read the manifest's fields;
 * the UI renders it as YAML.
 *
 * @public
 */
export interface AppliedPolicy {
  /** Kind, e.g. `PeerAuthentication`, `AuthorizationPolicy`, `Server`, `NetworkPolicy`. */
  kind: string;
  /** `group/version`, e.g. `security.istio.io/v1`. */
  apiVersion: string;
  /** Namespace of the policy (Istio's root namespace for mesh-wide policies). */
  namespace: string;
  /** Policy name. */
  name: string;
  /** The policy as a manifest: apiVersion, kind, name, namespace, labels and spec. */
  manifest: PolicyManifest;
}

/**
 * One workload of an entity, with its access graph and policies.
 *
 * @public
 */
export interface EntityWorkload extends WorkloadPosture {
  /**
   * Who may call this workload (per port), and which layer and policy decided it, each with
   * the traffic observed along it when the cluster's observations are usable.
   */
  callers: ObservedAccessEdge[];
  /** Whom this workload may call, each with the traffic observed along it. */
  callees: ObservedAccessEdge[];
  /**
   * Who is meant to call this workload but is rejected (docs/engine.md, "Blocked edges"): a
   * DestinationRule sending something else than mTLS to a STRICT port, or an ingress
   * NetworkPolicy against an explicit authorization. Each edge carries `blocked`; none of them
   * is in `callers`.
   */
  blockedCallers: AccessEdge[];
  /** What the mesh's metrics observed, held against the policies (docs/traffic.md). */
  observed: ObservedWorkloadTraffic;
  /**
   * The policies that apply to this workload as a server: mTLS (PeerAuthentication, Linkerd
   * Server), authorization and NetworkPolicies.
   */
  policies: AppliedPolicy[];
}

/**
 * An access edge with the traffic observed along it.
 *
 * @public
 */
export type ObservedAccessEdge = AccessEdge & {
  /** Absent when the cluster's observations are not usable (see `observed.observations`). */
  traffic?: EdgeTraffic;
};

/**
 * The state of a cluster's traffic observations, as a view shows it: everything but the flows.
 *
 * @public
 */
export type TrafficObservationState = Omit<
  TrafficObservations,
  'flows' | 'cluster'
> & {
  /** Seconds since `fetchedAt` when the answer was computed; null when never read. */
  ageSeconds: number | null;
};

/**
 * A workload's observed traffic in an entity view.
 *
 * @public
 */
export interface ObservedWorkloadTraffic {
  /** The observations of the workload's cluster: recorded, stale, unavailable, not configured. */
  observations: TrafficObservationState;
  /** Per port; absent unless the observations are `ok` or `stale`. */
  workload?: WorkloadTraffic;
  /**
   * Traffic to this workload that no caller edge covers (denied, outside any grant): one group
   * per port and status, most traffic in the evidence window first, at most
   * {@link UNMATCHED_TRAFFIC_LIMIT}.
   */
  unmatchedCallers: UnmatchedTraffic[];
  /** How many groups of traffic no caller edge covers (may exceed the list). */
  unmatchedCallerCount: number;
  /**
   * Traffic from this workload that no callee edge covers: one group per callee, port and
   * status, most traffic in the evidence window first, at most {@link UNMATCHED_TRAFFIC_LIMIT}.
   */
  unmatchedCallees: UnmatchedTraffic[];
  /** How many groups of traffic no callee edge covers (may exceed the list). */
  unmatchedCalleeCount: number;
}

/**
 * The most groups of traffic no edge covers that an entity view lists per workload and
 * direction (`ObservedWorkloadTraffic.unmatchedCallers` and `unmatchedCallees`): a workload that
 * called thousands of workloads no grant lets it call would otherwise make an answer of
 * megabytes. The counts say how many there are.
 *
 * @public
 */
export const UNMATCHED_TRAFFIC_LIMIT = 20;

/**
 * `GET /entity/:kind/:namespace/:name`: an entity's posture across every cluster.
 *
 * @public
 */
export interface EntityPosture {
  /** The catalog entity, e.g. `component:default/payments`. */
  entityRef: string;
  /** The component's overall mode: the workloads' common mode, PARTIAL when they differ. */
  mtls: MtlsMode;
  /**
   * Why this mode: for `UNKNOWN`, what is missing (e.g. no workload matches the entity's
   * annotations); for `PARTIAL`, which modes the workloads have; usually absent otherwise.
   */
  mtlsReason?: string;
  /** The meshes of the entity's workloads, sorted, each once (empty without workloads). */
  meshes: Mesh[];
  /** The entity's scorecard: per pillar, the worst status among its workloads. */
  scorecard: Scorecard;
  /**
   * Findings about the entity's workloads (including MS5xx from observed traffic), about the
   * policies applying to them, about their namespaces and the objects there that apply to no
   * workload, and the cluster-wide ones that concern their meshes (trust roots, NetworkPolicy
   * enforcement), without duplicates: the same list the overview counts. `findingScope` groups
   * them by who can act.
   */
  findings: Finding[];
  /** Number of `findings` per severity (every severity present, 0 when none). */
  findingCounts: Record<Severity, number>;
  /**
   * The workloads the entity's annotations select, in every cluster (empty when none matches or
   * the annotations are missing).
   */
  workloads: EntityWorkload[];
  /** The clusters consulted. */
  clusters: ClusterStatus[];
  /** True when a consulted cluster is unreachable, stale, pending or partly unreadable. */
  partial: boolean;
  /** Which cluster, and which kind of it, makes the answer partial (empty when not partial). */
  partialReasons: PartialReason[];
  /** When this answer was computed (ISO timestamp); the data's age is in `clusters`. */
  generatedAt: string;
}

/**
 * One workload of an entity as its summary names it: its mode per port and mesh, the policies
 * that apply to it (named, without manifests) and the traffic observed at its ports (without the
 * edges). An {@link EntityWorkload} is one too.
 *
 * @public
 */
export type EntityWorkloadSummary = Pick<
  EntityWorkload,
  | 'cluster'
  | 'namespace'
  | 'name'
  | 'kind'
  | 'mesh'
  | 'mtls'
  | 'mtlsReason'
  | 'ports'
> & {
  /** The policies that apply to it as a server, by kind, namespace and name. */
  policies: Array<Pick<AppliedPolicy, 'kind' | 'namespace' | 'name'>>;
  /** The observation state and the traffic per port (`EntityWorkload.observed` less the edges). */
  observed: Pick<ObservedWorkloadTraffic, 'observations' | 'workload'>;
};

/**
 * An entity's posture at a glance (`GET /entity/:kind/:namespace/:name/summary`, what the entity
 * card shows): everything {@link EntityPosture} says about the entity as a whole — mode, meshes,
 * scorecard, the same findings and counts, clusters, `partial` — with its workloads summarised
 * ({@link EntityWorkloadSummary}): no access lists, manifests or observed edges, so it is built
 * without joining the observed traffic to each edge. An `EntityPosture` is one too.
 *
 * @public
 */
export type EntityPostureSummary = Omit<EntityPosture, 'workloads'> & {
  workloads: EntityWorkloadSummary[];
};

/**
 * One row of the overview.
 *
 * @public
 */
export interface OverviewItem {
  /** The catalog entity, e.g. `component:default/payments`. */
  entityRef: string;
  /** The entity's `metadata.name`. */
  name: string;
  /** The entity's `metadata.title`; absent when it has none. */
  title?: string;
  /** The entity's `spec.owner` (an entity reference); absent when not set. */
  owner?: string;
  /** The entity's `spec.system`; absent when not set. */
  system?: string;
  /** The meshes of the component's workloads, sorted, each once. */
  meshes: Mesh[];
  /** The component's mode: its workloads' common mode, `PARTIAL` when they differ. */
  mtls: MtlsMode;
  /** The component's scorecard: per pillar, the worst status among its workloads. */
  scorecard: Scorecard;
  /**
   * Number of the component's findings per severity: the same findings as its entity view's
   * (`EntityPosture.findings`), so the counts agree.
   */
  findingCounts: Record<Severity, number>;
  /** Number of workloads the component's annotations select, across all clusters. */
  workloadCount: number;
  /** Names of the clusters its workloads run in, sorted. */
  clusters: string[];
}

/**
 * The keys `GET /overview` sorts by.
 *
 * @public
 */
export const OVERVIEW_SORT_KEYS = [
  'name',
  'owner',
  'system',
  'mtls',
  'findings',
] as const;

/**
 * One of {@link OVERVIEW_SORT_KEYS}.
 *
 * @public
 */
export type OverviewSortKey = (typeof OVERVIEW_SORT_KEYS)[number];

/**
 * The directions `GET /overview` sorts in.
 *
 * @public
 */
export const OVERVIEW_SORT_ORDERS = ['asc', 'desc'] as const;

/**
 * One of {@link OVERVIEW_SORT_ORDERS}.
 *
 * @public
 */
export type OverviewSortOrder = (typeof OVERVIEW_SORT_ORDERS)[number];

/**
 * Query of `GET /overview`.
 *
 * @public
 */
export interface OverviewQuery {
  /** Only components with this exact `spec.owner`, e.g. `group:default/payments-team`. */
  owner?: string;
  /** Only components with this exact `spec.system`. */
  system?: string;
  /** Only components with at least one workload in this mesh. */
  mesh?: Mesh;
  /** Only components whose overall mTLS mode is this one. */
  mode?: MtlsMode;
  /** Free text matched against name, title, owner and system. */
  search?: string;
  /**
   * Sort key (default `name`): `mtls` orders STRICT, PERMISSIVE, PARTIAL, DISABLED,
   * UNKNOWN ({@link MTLS_MODES}, best first);
   * `findings` sorts by worst severity: by the number of critical findings, then of high ones,
   * and so on down to `info`. Ties are broken by entity reference.
   */
  sort?: OverviewSortKey;
  /** Sort direction (default `asc`). */
  order?: OverviewSortOrder;
  /** Number of matching items to skip (default 0). */
  offset?: number;
  /** Page size (default 25, at most 500). */
  limit?: number;
}

/**
 * The observed encryption of the evidence window over a set of components: requests or
 * connections their workloads accepted, over mTLS and in plaintext.
 *
 * @public
 */
export interface ObservedEncryption {
  /** Accepted over mesh mTLS in the evidence window. */
  mtls: number;
  /** Accepted in plaintext in the evidence window. */
  plaintext: number;
  /** `mtls / (mtls + plaintext)`; null when nothing was accepted (or nothing observed). */
  mtlsShare: number | null;
  /** Components with at least one workload whose traffic was observed (usable, observable). */
  observedComponents: number;
  /** Components counted (observed or not). */
  components: number;
}

/**
 * A component whose PERMISSIVE ports received only mTLS in the evidence window (MS503): STRICT
 * can be enforced without refusing a caller seen in that window.
 *
 * @public
 */
export interface ReadyForStrictItem {
  /** The catalog entity, e.g. `component:default/etl-worker`. */
  entityRef: string;
  /** The entity's `metadata.name`. */
  name: string;
  /** The entity's `spec.owner`; absent when not set. */
  owner?: string;
  /** The workloads with an MS503 finding, with its message (naming the ports). */
  workloads: Array<WorkloadRef & { message: string }>;
  /** mTLS requests or connections of those workloads in the evidence window. */
  mtls: number;
}

/**
 * The observed traffic part of `GET /overview`.
 *
 * @public
 */
export interface OverviewObservedTraffic {
  /** Each cluster's observation state (status, source, age, windows). */
  observations: Array<TrafficObservationState & { cluster: string }>;
  /** Over every matching component. */
  total: ObservedEncryption;
  /** Per `spec.owner` (`(no owner)` when not set), sorted by owner. */
  byOwner: Array<ObservedEncryption & { owner: string }>;
  /**
   * Matching components ready for STRICT (MS503), sorted by entity reference: the first
   * {@link READY_FOR_STRICT_LIMIT}.
   */
  readyForStrict: ReadyForStrictItem[];
  /** How many matching components are ready for STRICT (may exceed the list). */
  readyForStrictCount: number;
}

/**
 * The most components ready for STRICT that `GET /overview` lists (`readyForStrict`), whatever
 * its page size: the list covers every matching component, not one page, and a catalog can hold
 * thousands. Filters (owner, system, search) narrow it; `readyForStrictCount` gives the total.
 *
 * @public
 */
export const READY_FOR_STRICT_LIMIT = 100;

/**
 * `GET /overview`: annotated components the caller may read, filtered, sorted and paginated.
 *
 * @public
 */
export interface OverviewResponse {
  /** The requested page of matching components. */
  items: OverviewItem[];
  /** Number of matching components across all pages. */
  totalItems: number;
  /** The offset applied (the query's, or 0). */
  offset: number;
  /** The page size applied (the query's, or 25). */
  limit: number;
  /** Counts over all matching components (before pagination). */
  distribution: {
    byMode: Record<MtlsMode, number>;
    byOwner: Array<{ owner: string; byMode: Record<MtlsMode, number> }>;
  };
  /** Values present, for filter drop-downs. */
  facets: { owners: string[]; systems: string[] };
  /**
   * Catalog components the caller can read that carry neither Kubernetes annotation, so have
   * no posture here (not affected by the filters); absent when the catalog could not count
   * them.
   */
  uncoveredComponents?: number;
  /**
   * What the mesh's metrics observed over the matching components (docs/traffic.md "On the
   * overview page"), from the observations the backend already holds (no metrics query).
   */
  observedTraffic: OverviewObservedTraffic;
  /** Every configured cluster, with the freshness and completeness of its data. */
  clusters: ClusterStatus[];
  /** True when a cluster is unreachable, stale, pending or partly unreadable. */
  partial: boolean;
  /** Which cluster, and which kind of it, makes the answer partial (empty when not partial). */
  partialReasons: PartialReason[];
}

/**
 * An endpoint of a check: a catalog entity (all its workloads), a workload, or — as a source
 * only — a plaintext client outside the cluster.
 *
 * @public
 */
export type CheckEndpoint =
  | { entityRef: string }
  | WorkloadRef
  | { kind: 'external' };

/**
 * `POST /check` body.
 *
 * @public
 */
export interface CheckRequest {
  /** The caller: an entity (every workload of it), a workload, or `{ kind: 'external' }`. */
  from: CheckEndpoint;
  /** The target: an entity (every workload of it) or a workload. */
  to: { entityRef: string } | WorkloadRef;
  /** Target container port (1–65535; the pod's port, not a Service port). */
  port: number;
  /** HTTP method, upper case (e.g. `GET`); omit for a plain TCP connection. */
  method?: string;
  /** HTTP path, starting with `/`; omit for a plain TCP connection. */
  path?: string;
}

/**
 * `POST /check` answer: one decision per (source workload, target workload) pair, and the
 * overall decision (ALLOW only when every pair is allowed).
 *
 * @public
 */
export interface CheckResponse {
  /** `ALLOW` only when there are results and every pair is allowed. */
  decision: 'ALLOW' | 'DENY';
  /**
   * One decision per (source, target) workload pair found in the same cluster; sources and
   * targets in different clusters are not paired.
   */
  results: Array<{
    cluster: string;
    from: WorkloadRef | { kind: 'external' };
    to: WorkloadRef;
    decision: AccessDecision;
  }>;
  /** True when a cluster is unreachable, stale, pending or partly unreadable. */
  partial: boolean;
  /** Which cluster, and which kind of it, makes the answer partial (empty when not partial). */
  partialReasons: PartialReason[];
}

/**
 * `GET /health`.
 *
 * @public
 */
export interface HealthResponse {
  /** `starting` until every cluster was tried once; `degraded` while one is unreachable. */
  status: 'ok' | 'degraded' | 'starting';
  /** Every configured cluster's status. */
  clusters: ClusterStatus[];
}

/**
 * One open access-change pull request of a component.
 *
 * @public
 */
export interface AccessChangePullRequest {
  /** Pull request number in its repository. */
  number: number;
  /** Pull request title (at most 300 characters). */
  title: string;
  /** The pull request's page on the forge. */
  url: string;
  /** Head branch: `mesh-security/<change>/<component name>-<hash>`. */
  branch: string;
  /** The kind of change, from the branch name. */
  change: AccessChangeKind;
  /** Login of the account that opened it (the integration's bot or app, usually). */
  author?: string;
  /** ISO timestamps. */
  createdAt: string;
  /** When the pull request last changed (ISO timestamp). */
  updatedAt: string;
  /** The pull request is a draft (not ready for review). */
  draft: boolean;
  /** Names of the pull request's labels. */
  labels: string[];
  /**
   * Entity refs (lower case) of the components whose access changes the pull request carries,
   * read from the markers the scaffolder actions write in its description; absent for a pull
   * request without markers (then only its branch name ties it to a component).
   */
  targets?: string[];
  /**
   * Who asked for the change: the `Requested by` lines the scaffolder actions write in the
   * description (entity refs, at most 10); absent when it names none.
   */
  requesters?: string[];
}

/**
 * `GET /entity/:kind/:namespace/:name/pull-requests`: the entity's open access-change pull
 * requests in its GitOps repository (annotation `mesh-security.io/gitops-repo`, else
 * `meshSecurity.accessRequests.repository`).
 *
 * - `ok`: `pullRequests` lists them (possibly none);
 * - `not-configured`: no repository is named for this entity, or the one named is malformed or
 *   not in `meshSecurity.accessRequests.allowedRepositories` (`message` says which);
 * - `unsupported-host`: the repository's host is not a GitHub host of `integrations.github`
 *   (GitLab merge requests are not listed yet);
 * - `error`: the forge could not be asked (credentials, rate limit, unreachable); `message` is a
 *   short explanation, never the forge's own answer.
 *
 * @public
 */
export interface EntityPullRequests {
  /** Outcome, as listed above. */
  status: 'ok' | 'not-configured' | 'unsupported-host' | 'error';
  /** A short explanation for the statuses other than `ok`. */
  message?: string;
  /**
   * The GitOps repository asked (host, owner, name and its web URL); absent when none is
   * named or the name cannot be parsed.
   */
  repository?: { host: string; owner: string; name: string; url: string };
  /** Open access-change pull requests, newest first; empty unless `status` is `ok`. */
  pullRequests: AccessChangePullRequest[];
  /** More open pull requests exist than the backend reads; the list may be incomplete. */
  truncated?: boolean;
  /** When the repository's pull requests were read (answers are cached for about a minute). */
  fetchedAt?: string;
}

/**
 * The scaffolder actions an impact preview can run (`POST /api/scaffolder/mesh-security/preview`).
 *
 * @public
 */
export const ACCESS_CHANGE_ACTIONS = [
  'mesh-security:access:request',
  'mesh-security:access:revoke',
  'mesh-security:mtls:enforce',
] as const;

/**
 * Body of `POST /api/scaffolder/mesh-security/preview`: an action and its input, as the
 * template step would pass it (the justification may be left out; it is not part of the impact).
 *
 * @public
 */
export interface AccessChangePreviewRequest {
  /** The template step's action. */
  action: (typeof ACCESS_CHANGE_ACTIONS)[number];
  /** The step's input. */
  input: Record<string, unknown>;
}

/**
 * One row of an access change's impact: the callers of one port before and after the change,
 * as the pull request's impact table lists them (docs/scaffolder.md "The pull request").
 *
 * @public
 */
export interface AccessChangeImpactRow {
  /** The container port. */
  port: number;
  /** Callers the mesh (mTLS and authorization) lets in before the change. */
  before: string[];
  /** Callers the mesh lets in after the change. */
  after: string[];
  /** Callers after and not before. */
  added: string[];
  /** Callers before and not after. */
  removed: string[];
  /** The requested requests on this port: `caller METHOD path: DENY → ALLOW`. */
  requested: string[];
  /** Callers the mesh lets in after the change that a NetworkPolicy still refuses. */
  blockedByNetworkPolicy: string[];
}

/**
 * Answer of `POST /api/scaffolder/mesh-security/preview`: what the action would do, from a dry
 * run with the user's credentials.
 *
 * @public
 */
export interface AccessChangePreview {
  /**
   * `ok`: the rows are the impact the pull request would show (none when nothing changes);
   * `not-configured`: no GitOps repository is configured, so no pull request can be opened and
   * the impact (computed on the repository's policy file) is unknown.
   */
  status: 'ok' | 'not-configured';
  /** Whether the action would change the policy file. */
  changed: boolean;
  /** What the action would say (dry run), or why nothing can be shown. */
  message: string;
  /** Where the pull request would go. */
  repository?: { host: string; owner: string; name: string; url: string };
  /** The policy file the change edits. */
  policyPath?: string;
  /** Callers per port before and after the change. */
  rows: AccessChangeImpactRow[];
  /** Findings the change would introduce. */
  findings: Array<{ code: string; severity: string; message: string }>;
  /** Requested requests the mesh would allow but a NetworkPolicy blocks. */
  warnings: string[];
}

/**
 * An open access-change pull request in the catalog-wide listing (`GET /pull-requests`), with
 * its repository and the components it changes that the caller may read.
 *
 * @public
 */
export interface CatalogAccessChangePullRequest
  extends AccessChangePullRequest {
  /** The GitOps repository it is open in. */
  repository: { host: string; owner: string; name: string; url: string };
  /** Entity refs of the components it changes that the caller may read (at least one). */
  components: string[];
}

/**
 * `GET /pull-requests`: the open access-change pull requests of every configured GitOps
 * repository, about components the caller may read, oldest first. `partial`: some repositories
 * could not be read (`failures` says which and why) and the list holds the others';
 * `not-configured`: none of the caller's components has a repository the backend may read.
 *
 * @public
 */
export interface CatalogPullRequests {
  /** Outcome, as listed above. */
  status: 'ok' | 'partial' | 'not-configured';
  /** A short explanation for `not-configured`. */
  message?: string;
  /** The pull requests, oldest first. */
  pullRequests: CatalogAccessChangePullRequest[];
  /** Repositories whose pull requests could not be read, with a short message each. */
  failures: Array<{
    repository: { host: string; owner: string; name: string; url: string };
    message: string;
  }>;
  /** A repository has more open pull requests than the backend reads. */
  truncated: boolean;
}
