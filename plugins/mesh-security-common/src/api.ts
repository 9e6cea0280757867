/*
 * The REST API of the `mesh-security` backend plugin: request and response types shared by the
 * backend, the frontend client, the scaffolder actions and anyone scripting against it.
 * Every route requires Backstage user or service credentials.
 */
import {
  AccessDecision,
  AccessEdge,
  Finding,
  Mesh,
  MtlsMode,
  Scorecard,
  Severity,
  WorkloadPosture,
  WorkloadRef,
} from './model';

/**
 * One public certificate of a mesh's trust chain.
 *
 * @public
 */
export interface MeshCertificate {
  role: 'istio-root' | 'linkerd-trust-anchor' | 'cert-manager';
  object: { kind: string; namespace: string; name: string };
  subject?: string;
  issuer?: string;
  /** ISO timestamp. */
  notAfter?: string;
  daysLeft?: number;
  state: 'ok' | 'expiring' | 'expired' | 'unknown';
  message?: string;
}

/**
 * How one cluster was read, and what that means for the answers built from it.
 *
 * @public
 */
export interface ClusterStatus {
  name: string;
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
  error?: string;
  /** Kinds whose CRD is not installed (e.g. `policy.linkerd.io/servers`): that mesh is absent. */
  notInstalled: string[];
  /** Kinds the configured credentials may not list, with the missing RBAC verb. */
  forbidden: Array<{ kind: string; message: string }>;
  /** Kinds (or manifest files) that could not be read for another reason. */
  errors: Array<{ kind: string; message: string }>;
  networkPolicyEnforcement: {
    state: 'enforced' | 'notEnforced' | 'unknown';
    enforcer?: string;
    reason: string;
  };
  certificates: MeshCertificate[];
  /** Objects held for this cluster. */
  objectCount: number;
  /** Size of the held (trimmed) objects as JSON, in bytes: the memory the snapshot costs. */
  snapshotBytes: number;
  /** The access graph of this snapshot is fully built (views no longer compute any of it). */
  accessGraphReady?: boolean;
}

/**
 * A policy that applies to a workload, with its YAML.
 *
 * @public
 */
export interface AppliedPolicy {
  kind: string;
  apiVersion: string;
  namespace: string;
  name: string;
  yaml: string;
}

/**
 * One workload of an entity, with its access graph and policies.
 *
 * @public
 */
export interface EntityWorkload extends WorkloadPosture {
  /** Who may call this workload (per port), and which layer and policy decided it. */
  callers: AccessEdge[];
  /** Whom this workload may call. */
  callees: AccessEdge[];
  policies: AppliedPolicy[];
}

/**
 * `GET /entity/:kind/:namespace/:name`: an entity's posture across every cluster.
 *
 * @public
 */
export interface EntityPosture {
  entityRef: string;
  /** The component's overall mode: the workloads' common mode, PARTIAL when they differ. */
  mtls: MtlsMode;
  mtlsReason?: string;
  meshes: Mesh[];
  scorecard: Scorecard;
  findings: Finding[];
  findingCounts: Record<Severity, number>;
  workloads: EntityWorkload[];
  /** The clusters consulted. */
  clusters: ClusterStatus[];
  /** True when a consulted cluster is unreachable, stale, pending or partly unreadable. */
  partial: boolean;
  generatedAt: string;
}

/**
 * One row of the overview.
 *
 * @public
 */
export interface OverviewItem {
  entityRef: string;
  name: string;
  title?: string;
  owner?: string;
  system?: string;
  meshes: Mesh[];
  mtls: MtlsMode;
  scorecard: Scorecard;
  findingCounts: Record<Severity, number>;
  workloadCount: number;
  clusters: string[];
}

/**
 * Query of `GET /overview`.
 *
 * @public
 */
export interface OverviewQuery {
  owner?: string;
  system?: string;
  mesh?: Mesh;
  mode?: MtlsMode;
  /** Free text matched against name, title, owner and system. */
  search?: string;
  sort?: 'name' | 'owner' | 'system' | 'mtls' | 'findings';
  order?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
}

/**
 * `GET /overview`: annotated components the caller may read, filtered, sorted and paginated.
 *
 * @public
 */
export interface OverviewResponse {
  items: OverviewItem[];
  totalItems: number;
  offset: number;
  limit: number;
  /** Counts over all matching components (before pagination). */
  distribution: {
    byMode: Record<MtlsMode, number>;
    byOwner: Array<{ owner: string; byMode: Record<MtlsMode, number> }>;
  };
  /** Values present, for filter drop-downs. */
  facets: { owners: string[]; systems: string[] };
  clusters: ClusterStatus[];
  partial: boolean;
}

/**
 * An endpoint of a check: a catalog entity (all its workloads), a workload, or — as a source
 * only — a plaintext client outside the cluster.
 *
 * @public
 */
export type CheckEndpoint = { entityRef: string } | WorkloadRef | { kind: 'external' };

/**
 * `POST /check` body.
 *
 * @public
 */
export interface CheckRequest {
  from: CheckEndpoint;
  to: { entityRef: string } | WorkloadRef;
  port: number;
  method?: string;
  path?: string;
}

/**
 * `POST /check` answer: one decision per (source workload, target workload) pair, and the
 * overall decision (ALLOW only when every pair is allowed).
 *
 * @public
 */
export interface CheckResponse {
  decision: 'ALLOW' | 'DENY';
  results: Array<{
    cluster: string;
    from: WorkloadRef | { kind: 'external' };
    to: WorkloadRef;
    decision: AccessDecision;
  }>;
  partial: boolean;
}

/**
 * `GET /health`.
 *
 * @public
 */
export interface HealthResponse {
  /** `starting` until every cluster was tried once; `degraded` while one is unreachable. */
  status: 'ok' | 'degraded' | 'starting';
  clusters: ClusterStatus[];
}

/**
 * What an access-change pull request does, from the scaffolder action that opened it
 * (`mesh-security:access:request`, `mesh-security:access:revoke`, `mesh-security:mtls:enforce`).
 *
 * @public
 */
export type AccessChangeKind = 'request' | 'revoke' | 'enforce';

/**
 * One open access-change pull request of a component.
 *
 * @public
 */
export interface AccessChangePullRequest {
  number: number;
  title: string;
  /** The pull request's page on the forge. */
  url: string;
  /** Head branch: `mesh-security/<change>/<component name>-<hash>`. */
  branch: string;
  change: AccessChangeKind;
  /** Login of the account that opened it (the integration's bot or app, usually). */
  author?: string;
  /** ISO timestamps. */
  createdAt: string;
  updatedAt: string;
  draft: boolean;
  labels: string[];
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
  status: 'ok' | 'not-configured' | 'unsupported-host' | 'error';
  message?: string;
  repository?: { host: string; owner: string; name: string; url: string };
  pullRequests: AccessChangePullRequest[];
  /** More open pull requests exist than the backend reads; the list may be incomplete. */
  truncated?: boolean;
  /** When the repository's pull requests were read (answers are cached for about a minute). */
  fetchedAt?: string;
}
