import {
  ObservedEncryption,
  OverviewItem,
  OverviewObservedTraffic,
  READY_FOR_STRICT_LIMIT,
  ReadyForStrictItem,
  TrafficObservationState,
  WorkloadPosture,
} from '@mesh-security/plugin-mesh-security-common';
import type { ClusterView } from '../snapshots/clusterView';
import { ClusterTraffic } from './observedTraffic';

/*
 * The overview's observed traffic (docs/traffic.md "On the overview page"): sums of the join the
 * entity views use, over the workloads of each component. No metrics query: each cluster's
 * join is the one kept in its view's memo.
 */

const READY_FOR_STRICT = 'MS503';

/** What the observations say about one component's workloads. */
export interface ComponentEvidence {
  /** Whether any of its workloads' traffic was observed (usable observations, a proxy). */
  observed: boolean;
  mtls: number;
  plaintext: number;
  /** Its workloads with an MS503 finding, and the mTLS they received. */
  ready: { workloads: ReadyForStrictItem['workloads']; mtls: number };
}

/**
 * Sums the evidence window of a component's workloads and collects their MS503 findings:
 * `observed[i]` is what {@link ClusterTraffic.evidence} answered for `located[i]`.
 */
export function componentEvidence(
  located: Array<{ view: ClusterView; workload: WorkloadPosture }>,
  observed: Array<ReturnType<ClusterTraffic['evidence']>>,
): ComponentEvidence {
  const out: ComponentEvidence = {
    observed: false,
    mtls: 0,
    plaintext: 0,
    ready: { workloads: [], mtls: 0 },
  };
  for (let i = 0; i < located.length; i++) {
    const evidence = observed[i];
    if (!evidence?.traffic?.observable) continue;
    const { workload } = located[i];
    out.observed = true;
    let mtls = 0;
    for (const port of evidence.traffic.ports) {
      mtls += port.evidence.mtls;
      out.plaintext += port.evidence.plaintext;
    }
    out.mtls += mtls;
    const ready = evidence.findings.filter(f => f.code === READY_FOR_STRICT);
    if (ready.length > 0) {
      out.ready.workloads.push({
        cluster: workload.cluster,
        namespace: workload.namespace,
        name: workload.name,
        kind: workload.kind,
        message: ready.map(f => f.message).join(' '),
      });
      out.ready.mtls += mtls;
    }
  }
  return out;
}

function encryption(evidence: ComponentEvidence[]): ObservedEncryption {
  const mtls = evidence.reduce((sum, e) => sum + e.mtls, 0);
  const plaintext = evidence.reduce((sum, e) => sum + e.plaintext, 0);
  return {
    mtls,
    plaintext,
    mtlsShare: mtls + plaintext > 0 ? mtls / (mtls + plaintext) : null,
    observedComponents: evidence.filter(e => e.observed).length,
    components: evidence.length,
  };
}

/** The overview's observed traffic over the matching components. */
export function overviewTraffic(
  matching: OverviewItem[],
  evidence: Map<string, ComponentEvidence>,
  observations: Array<TrafficObservationState & { cluster: string }>,
): OverviewObservedTraffic {
  const of = (item: OverviewItem) => evidence.get(item.entityRef)!;
  const owners = new Map<string, ComponentEvidence[]>();
  for (const item of matching) {
    const owner = item.owner ?? '(no owner)';
    if (!owners.has(owner)) owners.set(owner, []);
    owners.get(owner)!.push(of(item));
  }
  return {
    observations,
    total: encryption(matching.map(of)),
    byOwner: [...owners]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([owner, list]) => ({ owner, ...encryption(list) })),
    ...readyForStrict(
      matching.filter(item => of(item).ready.workloads.length > 0),
      of,
    ),
  };
}

/** The first ready components by entity reference, and how many there are. */
function readyForStrict(
  ready: OverviewItem[],
  of: (item: OverviewItem) => ComponentEvidence,
): Pick<OverviewObservedTraffic, 'readyForStrict' | 'readyForStrictCount'> {
  return {
    readyForStrict: [...ready]
      .sort((a, b) => a.entityRef.localeCompare(b.entityRef))
      .slice(0, READY_FOR_STRICT_LIMIT)
      .map(item => ({
        entityRef: item.entityRef,
        name: item.name,
        ...(item.owner ? { owner: item.owner } : {}),
        workloads: of(item).ready.workloads,
        mtls: of(item).ready.mtls,
      })),
    readyForStrictCount: ready.length,
  };
}
