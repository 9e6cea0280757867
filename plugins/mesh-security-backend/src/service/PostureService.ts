import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  CheckResponse,
  ClusterStatus,
  EntityPosture,
  EntityPostureSummary,
  EntityWorkload,
  Finding,
  HealthResponse,
  MTLS_MODES,
  MtlsMode,
  OverviewItem,
  OverviewQuery,
  OverviewResponse,
  OverviewSortOrder,
  PartialReason,
  SEVERITIES,
  WorkloadPosture,
  WorkloadRef,
  workloadSummary,
} from '@mesh-security/plugin-mesh-security-common';
import { TrafficObservationsReader } from '../traffic/types';
import { ClusterTraffic, trafficOf } from './observedTraffic';
import {
  ComponentEvidence,
  componentEvidence,
  overviewTraffic,
} from './overviewTraffic';
import { workloadSelectorOf } from '../entities/resolveWorkloads';
import { workloadsOfEntity } from '../entities/workloadIndex';
import { componentFindings, LocatedWorkload } from './relevantFindings';
import { toAppliedPolicy } from './appliedPolicies';
import type { ClusterView } from '../snapshots/clusterView';
import { ClusterViews } from '../snapshots/ClusterViews';
import { waitedOn, yieldEvery } from '../snapshots/slices';
import {
  componentMtls,
  componentScorecard,
  countFindings,
  meshesOf,
} from './aggregate';

/**
 * How long the overview works before letting other requests in: in one block, joining the
 * observed traffic of 5 × 10,000 pods held every other request for up to 0.86 s
 * (docs/benchmarks.md).
 */
const OVERVIEW_SLICE_MS = 20;

/** A workload with the cluster view it came from. */
type Located = LocatedWorkload;

/** Who an answer is for. */
export interface Audience {
  /**
   * The platform view (`mesh-security.overview.read`): cluster errors in full. Anyone else gets
   * one generic sentence per cluster instead, since a read error can carry server addresses and
   * paths (docs/backend.md "Permissions").
   */
  clusterErrorDetails: boolean;
}

/**
 * What the routes call: entity posture, overview, access check and health, all answered from
 * the in-memory cluster views (never from a Kubernetes API call).
 */
export class PostureService {
  constructor(
    private readonly views: ClusterViews,
    private readonly traffic: TrafficObservationsReader,
  ) {}

  async health(audience: Audience): Promise<HealthResponse> {
    const views = await this.views.all();
    const clusters = this.statuses(views, audience);
    let status: HealthResponse['status'] = 'ok';
    if (
      clusters.some(
        c =>
          c.status === 'unreachable' ||
          c.stale ||
          c.freshness?.state === 'behind' ||
          c.freshness?.state === 'reconnecting',
      )
    )
      status = 'degraded';
    if (clusters.some(c => c.status === 'pending')) status = 'starting';
    return { status, clusters };
  }

  async entityPosture(
    entity: Entity,
    audience: Audience,
  ): Promise<EntityPosture> {
    return this.entityAnswer(entity, audience, (located, traffic) => {
      const entry = this.entityWorkload(located, traffic);
      return { entry, findings: entry.findings };
    });
  }

  /**
   * The entity's posture at a glance (the card's answer): the same entity-wide fields as
   * {@link PostureService.entityPosture}, each workload named with its port modes, policies and
   * the traffic at its ports ({@link workloadSummary}). Only the callers are read, for the
   * MS5xx findings; no other access list is read or joined with the flows, and no manifest
   * written.
   */
  async entitySummary(
    entity: Entity,
    audience: Audience,
  ): Promise<EntityPostureSummary> {
    return this.entityAnswer(
      entity,
      audience,
      ({ view, workload }, traffic) => {
        const ref = refOf(workload);
        const graph = view.graph!;
        const observed = traffic.summary(ref, graph);
        const entry = workloadSummary(
          workload,
          graph.policiesOf(ref),
          observed.observed,
        );
        return {
          entry,
          findings: withTrafficFindings(workload, observed.findings),
        };
      },
    );
  }

  /**
   * What both entity answers share: the entity's workloads in every cluster, each made an
   * entry by `entryOf` (with the findings about it, traffic's MS5xx included), and the
   * entity-wide mode, scorecard, findings and clusters.
   */
  private async entityAnswer<W>(
    entity: Entity,
    audience: Audience,
    entryOf: (
      located: Located,
      traffic: ClusterTraffic,
    ) => { entry: W; findings: Finding[] },
  ): Promise<Omit<EntityPosture, 'workloads'> & { workloads: W[] }> {
    const views = await this.views.all();
    const entityRef = stringifyEntityRef(entity);
    const selector = workloadSelectorOf(entity);
    const located = locate(views, selector);
    const noWorkloads = selector.ok
      ? `no workload labelled ${selector.description}${
          selector.namespace ? ` in namespace ${selector.namespace}` : ''
        } in any cluster`
      : selector.reason;
    const workloads = located.map(l => l.workload);
    // The latest observations of each cluster (the reader never queries metrics on our behalf).
    const traffic = new Map<ClusterView, ClusterTraffic>();
    for (const view of uniqueViews(located))
      traffic.set(view, await trafficOf(view, this.traffic));
    const entries = located.map(l => entryOf(l, traffic.get(l.view)!));
    const findings = componentFindings(located, (_, i) => entries[i].findings);
    const { mtls, reason } = componentMtls(workloads, noWorkloads);
    // Every cluster is reported: one that is unreachable or not read yet may hold workloads of
    // this entity that we cannot see, so the answer is partial.
    const clusters = this.statuses(views, audience);
    return {
      entityRef,
      mtls,
      mtlsReason: reason,
      meshes: meshesOf(workloads),
      scorecard: componentScorecard(workloads, noWorkloads),
      findings,
      findingCounts: countFindings(findings),
      workloads: entries.map(e => e.entry),
      clusters,
      ...partialOf(clusters),
      generatedAt: new Date().toISOString(),
    };
  }

  /** The overview: the platform view, so cluster errors are in full. */
  async overview(
    entities: Entity[],
    query: OverviewQuery,
  ): Promise<OverviewResponse> {
    const views = await this.views.all();
    // The latest observations of each cluster, joined once per generation (no metrics query).
    const traffic = new Map<ClusterView, ClusterTraffic>();
    for (const view of views)
      traffic.set(view, await trafficOf(view, this.traffic));
    const evidence = new Map<string, ComponentEvidence>();
    const all: OverviewItem[] = [];
    // Its own slices: joining a large estate's traffic takes a while, and other requests are
    // answered between them (nothing is held back for this one meanwhile).
    const pause = yieldEvery(OVERVIEW_SLICE_MS);
    for (const entity of entities) {
      await waitedOn(pause());
      const selector = workloadSelectorOf(entity);
      const located = locate(views, selector);
      const workloads = located.map(l => l.workload);
      // Each workload's observed traffic, once for the sums and the findings.
      const observed = located.map(({ view, workload }) =>
        traffic.get(view)?.evidence(refOf(workload)),
      );
      evidence.set(
        stringifyEntityRef(entity),
        componentEvidence(located, observed),
      );
      const reason = selector.ok
        ? `no workload labelled ${selector.description}`
        : selector.reason;
      // The entity view's list: own findings with the observed traffic's (MS5xx), then those
      // of its policies, namespaces and clusters.
      const findings = componentFindings(located, ({ workload }, i) =>
        withTrafficFindings(workload, observed[i]?.findings),
      );
      all.push({
        entityRef: stringifyEntityRef(entity),
        name: entity.metadata.name,
        title: entity.metadata.title,
        owner: stringField(entity.spec?.owner),
        system: stringField(entity.spec?.system),
        meshes: meshesOf(workloads),
        mtls: componentMtls(workloads, reason).mtls,
        scorecard: componentScorecard(workloads, reason),
        findingCounts: countFindings(findings),
        workloadCount: workloads.length,
        clusters: [...new Set(workloads.map(w => w.cluster))].sort(),
      });
    }
    const facets = {
      owners: [
        ...new Set(all.map(i => i.owner).filter((o): o is string => !!o)),
      ].sort(),
      systems: [
        ...new Set(all.map(i => i.system).filter((s): s is string => !!s)),
      ].sort(),
    };
    const search = query.search?.toLocaleLowerCase('en-US');
    const matching = all.filter(
      i =>
        (!query.owner || i.owner === query.owner) &&
        (!query.system || i.system === query.system) &&
        (!query.mesh || i.meshes.includes(query.mesh)) &&
        (!query.mode || i.mtls === query.mode) &&
        (!search ||
          [i.name, i.title, i.owner, i.system].some(v =>
            v?.toLocaleLowerCase('en-US').includes(search),
          )),
    );
    sortItems(matching, query.sort ?? 'name', query.order ?? 'asc');
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 25;
    const clusters = this.statuses(views, { clusterErrorDetails: true });
    return {
      items: matching.slice(offset, offset + limit),
      totalItems: matching.length,
      offset,
      limit,
      distribution: distribution(matching),
      facets,
      observedTraffic: overviewTraffic(
        matching,
        evidence,
        views.map(v => ({
          cluster: v.state.cluster,
          ...traffic.get(v)!.state,
        })),
      ),
      clusters,
      ...partialOf(clusters),
    };
  }

  /**
   * The engine's access check for every (source, target) workload pair in the target's
   * cluster. `from` as workloads (already resolved) or the external plaintext client.
   */
  async check(
    from: WorkloadRef[] | 'external',
    to: WorkloadRef[],
    request: { port: number; method?: string; path?: string },
    audience: Audience,
  ): Promise<CheckResponse> {
    const views = await this.views.all();
    const results: CheckResponse['results'] = [];
    for (const view of views) {
      const engine = view.engine;
      if (!engine) continue;
      const cluster = view.state.cluster;
      // Sources and targets pair up within one cluster (east-west traffic does not cross
      // clusters here).
      const present = (ref: WorkloadRef) =>
        view.workloads.some(w => names(ref, cluster, w));
      const targets = to.filter(present);
      const sources = from === 'external' ? [undefined] : from.filter(present);
      for (const target of targets) {
        for (const source of sources) {
          const decision = engine.check({
            from: source ? { ...source, cluster } : { kind: 'external' },
            to: { ...target, cluster },
            port: request.port,
            method: request.method,
            path: request.path,
          });
          results.push({
            cluster,
            from: source ? { ...source, cluster } : { kind: 'external' },
            to: { ...target, cluster },
            decision,
          });
        }
      }
    }
    const clusters = this.statuses(views, audience);
    return {
      decision:
        results.length > 0 &&
        results.every(r => r.decision.decision === 'ALLOW')
          ? 'ALLOW'
          : 'DENY',
      results,
      ...partialOf(clusters),
    };
  }

  /** The workloads a workload reference names, in every cluster (for `/check` endpoints). */
  async workloadsNamed(ref: WorkloadRef): Promise<WorkloadPosture[]> {
    const views = await this.views.all();
    return views.flatMap(view =>
      view.workloads.filter(w => names(ref, view.state.cluster, w)),
    );
  }

  /** Workload refs of an entity in every cluster (for `/check` endpoints given as entities). */
  async workloadRefsOf(entity: Entity): Promise<WorkloadRef[]> {
    const selector = workloadSelectorOf(entity);
    if (!selector.ok) return [];
    const views = await this.views.all();
    return views.flatMap(v =>
      workloadsOfEntity(v, selector).map(w => ({
        cluster: w.cluster,
        namespace: w.namespace,
        name: w.name,
        kind: w.kind,
      })),
    );
  }

  /** The clusters' status as `audience` may see it. */
  private statuses(views: ClusterView[], audience: Audience): ClusterStatus[] {
    return views.map(view => {
      const status = this.views.status(view);
      return audience.clusterErrorDetails || status.error === undefined
        ? status
        : {
            ...status,
            error: `cluster ${status.name} could not be read; the platform team sees the details`,
          };
    });
  }

  /**
   * A workload as an entity view shows it: with its callers, callees and applicable policies,
   * all from the access graph (built once per generation; before it is complete it computes
   * and keeps what is asked), each policy's YAML rendered once per generation. The entry is
   * built per view as one fixed-shape object: a spread of the workload would allocate more per
   * view, and keeping entries would cost memory for every workload ever viewed.
   */
  private entityWorkload(
    { view, workload }: Located,
    traffic: ClusterTraffic,
  ): EntityWorkload {
    const graph = view.graph!;
    const ref = {
      cluster: workload.cluster,
      namespace: workload.namespace,
      name: workload.name,
      kind: workload.kind,
    };
    const observed = traffic.workload(ref, graph);
    const entry: { [K in keyof Required<EntityWorkload>]: EntityWorkload[K] } =
      {
        cluster: workload.cluster,
        namespace: workload.namespace,
        name: workload.name,
        kind: workload.kind,
        serviceAccount: workload.serviceAccount,
        mesh: workload.mesh,
        platform: workload.platform,
        identity: workload.identity,
        mtls: workload.mtls,
        mtlsReason: workload.mtlsReason,
        ports: workload.ports,
        notEvaluated: workload.notEvaluated,
        pods: workload.pods,
        labels: workload.labels,
        findings: withTrafficFindings(workload, observed.findings),
        scorecard: workload.scorecard,
        callers: observed.callers,
        callees: observed.callees,
        blockedCallers: graph.blockedCallersOf(ref),
        observed: observed.observed,
        policies: graph.policiesOf(ref).map(toAppliedPolicy),
      };
    return entry;
  }
}

/**
 * Whether a reference names a workload of a cluster: a reference without a cluster means
 * "wherever it runs", one without a kind any kind.
 */
function names(
  ref: WorkloadRef,
  cluster: string,
  workload: WorkloadPosture,
): boolean {
  return (
    (!ref.cluster || ref.cluster === cluster) &&
    workload.namespace === ref.namespace &&
    workload.name === ref.name &&
    (!ref.kind || workload.kind === ref.kind)
  );
}

/** A workload's findings in an answer: its own, then its observed traffic's (MS5xx). */
function withTrafficFindings(
  workload: WorkloadPosture,
  traffic: Finding[] = [],
): Finding[] {
  return traffic.length
    ? [...workload.findings, ...traffic]
    : workload.findings;
}

/** The workloads an entity's annotations select, in every cluster, with their views. */
function locate(
  views: ClusterView[],
  selector: ReturnType<typeof workloadSelectorOf>,
): Located[] {
  return selector.ok
    ? views.flatMap(view =>
        workloadsOfEntity(view, selector).map(workload => ({ view, workload })),
      )
    : [];
}

function uniqueViews(located: Located[]): ClusterView[] {
  return [...new Set(located.map(l => l.view))];
}

/**
 * Whether an answer built from these clusters is partial, and why: per cluster not read, not
 * reachable or stale, and per kind of it that could not be read.
 */
function partialOf(clusters: ClusterStatus[]): {
  partial: boolean;
  partialReasons: PartialReason[];
} {
  const reasons: PartialReason[] = [];
  for (const c of clusters) {
    const fetchedAt = c.fetchedAt ? { fetchedAt: c.fetchedAt } : {};
    if (c.status === 'pending')
      reasons.push({
        cluster: c.name,
        state: 'pending',
        message: c.error ?? 'not read yet',
      });
    if (c.status === 'unreachable')
      reasons.push({
        cluster: c.name,
        state: 'unreachable',
        message: c.error ?? 'unreachable',
        ...(c.unreachableSince ? { since: c.unreachableSince } : {}),
        ...fetchedAt,
      });
    if (c.stale)
      reasons.push({
        cluster: c.name,
        state: 'stale',
        message: `the snapshot is ${c.snapshotAgeSeconds} s old`,
        ...fetchedAt,
      });
    for (const [state, kinds] of [
      ['forbidden', c.forbidden],
      ['error', c.errors],
    ] as const) {
      for (const kind of kinds)
        reasons.push({ cluster: c.name, state, ...kind });
    }
  }
  return { partial: reasons.length > 0, partialReasons: reasons };
}

function refOf(workload: WorkloadPosture): WorkloadRef {
  return {
    cluster: workload.cluster,
    namespace: workload.namespace,
    name: workload.name,
    kind: workload.kind,
  };
}

function stringField(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function emptyModes(): Record<MtlsMode, number> {
  return Object.fromEntries(MTLS_MODES.map(m => [m, 0])) as Record<
    MtlsMode,
    number
  >;
}

function distribution(items: OverviewItem[]): OverviewResponse['distribution'] {
  const byMode = emptyModes();
  const owners = new Map<string, Record<MtlsMode, number>>();
  for (const item of items) {
    byMode[item.mtls]++;
    const owner = item.owner ?? '(no owner)';
    if (!owners.has(owner)) owners.set(owner, emptyModes());
    owners.get(owner)![item.mtls]++;
  }
  return {
    byMode,
    byOwner: [...owners]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([owner, modes]) => ({ owner, byMode: modes })),
  };
}

/**
 * Worst severity first: more critical findings rank higher whatever the rest, then more high
 * ones, and so on (no weighting lets many medium findings outrank one critical).
 */
function compareFindings(a: OverviewItem, b: OverviewItem): number {
  for (const severity of SEVERITIES) {
    const c = a.findingCounts[severity] - b.findingCounts[severity];
    if (c !== 0) return c;
  }
  return 0;
}

function sortItems(
  items: OverviewItem[],
  sort: NonNullable<OverviewQuery['sort']>,
  order: OverviewSortOrder,
): void {
  const key = (i: OverviewItem): string | number => {
    switch (sort) {
      case 'owner':
        return i.owner ?? '';
      case 'system':
        return i.system ?? '';
      case 'mtls':
        return MTLS_MODES.indexOf(i.mtls);
      default:
        return i.name;
    }
  };
  const sign = order === 'desc' ? -1 : 1;
  items.sort((a, b) => {
    if (sort === 'findings') {
      const c = compareFindings(a, b);
      return c !== 0 ? sign * c : a.entityRef.localeCompare(b.entityRef);
    }
    const ka = key(a);
    const kb = key(b);
    const c =
      typeof ka === 'number' && typeof kb === 'number'
        ? ka - kb
        : String(ka).localeCompare(String(kb));
    return c !== 0 ? sign * c : a.entityRef.localeCompare(b.entityRef);
  });
}
