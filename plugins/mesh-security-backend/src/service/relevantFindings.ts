import {
  CLUSTER_WIDE_FINDING_CODES,
  concernsMeshes,
  Finding,
  findingNamespace,
  WORKLOAD_KINDS,
  WorkloadPosture,
} from '@mesh-security/plugin-mesh-security-common';
import type { ClusterView } from '../snapshots/clusterView';

/** Findings about the cluster as a whole (trust roots, NetworkPolicy enforcement). */
const CLUSTER_WIDE_CODES = new Set(CLUSTER_WIDE_FINDING_CODES);
const WORKLOAD_KIND_SET = new Set<string>(WORKLOAD_KINDS);

// Joined: one flat string per key kept in the index (a template literal keeps fragments).
const objectKey = (kind: string, namespace: string | undefined, name: string) =>
  [kind, namespace ?? '', name].join('/');

interface FindingIndex {
  clusterWide: Finding[];
  /** Findings about a policy, by `kind/namespace/name`. */
  byObject: Map<string, Finding[]>;
  /**
   * Findings about namespaces and about objects that apply to no workload (or not yet known to),
   * by namespace.
   */
  unattached: Map<string, Finding[]>;
  /** Whether `byObject` is usable (the access graph knew which policy applies where). */
  precise: boolean;
}

/**
 * A view's findings that matter to a component's workloads there: the cluster-wide ones that
 * concern their meshes (`concernsMeshes`: a trust root only its mesh's components), those
 * about the policies that apply to these workloads, and those about their namespaces or about
 * objects there that apply to no workload at all (a namespace without default-deny, a policy
 * selecting nothing, a malformed object) — not the findings about policies of the other
 * components of the namespace, which are theirs.
 * Findings about workloads reach a component through its own workloads, not from here.
 *
 * Until the access graph knows which policies apply where, every non-workload finding of the
 * namespace is included (more, never fewer); that index is not kept.
 */
export function relevantFindings(
  view: ClusterView,
  workloads: WorkloadPosture[],
  policiesOf: (
    w: WorkloadPosture,
  ) => Array<{ kind: string; namespace: string; name: string }>,
): Finding[] {
  if (workloads.length === 0) return [];
  const index = findingIndex(view);
  const meshes = [...new Set(workloads.map(w => w.mesh))];
  const out = index.clusterWide.filter(f => concernsMeshes(f, meshes));
  const seen = new Set<string>();
  for (const ns of new Set(workloads.map(w => w.namespace)))
    out.push(...(index.unattached.get(ns) ?? []));
  if (index.precise) {
    for (const w of workloads) {
      for (const p of policiesOf(w)) {
        const key = objectKey(p.kind, p.namespace, p.name);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(...(index.byObject.get(key) ?? []));
      }
    }
  }
  return out;
}

/** Builds a view's findings index ahead of the first page view that needs it. */
export function prepareFindingIndex(view: ClusterView): void {
  findingIndex(view);
}

function findingIndex(view: ClusterView): FindingIndex {
  // The precise index once the access graph is complete; until then a namespace-only one. Each
  // is built once per generation, not per page view.
  const precise = view.graph?.complete ?? false;
  const key = precise ? 'findings:index' : 'findings:index:by-namespace';
  const held = view.memo.get(key) as FindingIndex | undefined;
  if (held) return held;
  const index = buildIndex(
    view,
    precise ? view.graph!.appliedPolicyKeys() : undefined,
  );
  view.memo.set(key, index);
  return index;
}

function buildIndex(
  view: ClusterView,
  applied: Set<string> | undefined,
): FindingIndex {
  const index: FindingIndex = {
    clusterWide: [],
    byObject: new Map(),
    unattached: new Map(),
    precise: !!applied,
  };
  for (const f of view.findings) {
    if (CLUSTER_WIDE_CODES.has(f.code)) {
      index.clusterWide.push(f);
      continue;
    }
    if (WORKLOAD_KIND_SET.has(f.object.kind)) continue;
    const key = objectKey(f.object.kind, f.object.namespace, f.object.name);
    if (applied?.has(key)) {
      if (!index.byObject.has(key)) index.byObject.set(key, []);
      index.byObject.get(key)!.push(f);
    } else {
      const ns = findingNamespace(f);
      if (!index.unattached.has(ns)) index.unattached.set(ns, []);
      index.unattached.get(ns)!.push(f);
    }
  }
  return index;
}

/** A workload of a component, with the cluster view it came from. */
export interface LocatedWorkload {
  view: ClusterView;
  workload: WorkloadPosture;
}

/**
 * Every finding of a component, the one list each view counts (entity card, Security tab and
 * overview alike): its workloads' own findings as `ownFindings` gives them (the engine's and
 * the observed traffic's), each naming its cluster, then per cluster view the
 * {@link relevantFindings} of its workloads there, without duplicates.
 */
export function componentFindings(
  located: LocatedWorkload[],
  ownFindings: (workload: LocatedWorkload, index: number) => Finding[],
): Finding[] {
  const views = [...new Set(located.map(l => l.view))];
  return dedupe([
    ...located.flatMap((l, i) =>
      withCluster(ownFindings(l, i), l.workload.cluster),
    ),
    ...views.flatMap(view =>
      relevantFindings(
        view,
        located.filter(l => l.view === view).map(l => l.workload),
        w =>
          view.graph?.policiesOf({
            cluster: w.cluster,
            namespace: w.namespace,
            name: w.name,
            kind: w.kind,
          }) ?? [],
      ),
    ),
  ]);
}

/** A workload's findings, each naming its cluster (the engine's findings may leave it unset). */
function withCluster(findings: Finding[], cluster: string): Finding[] {
  return findings.every(f => f.object.cluster)
    ? findings
    : findings.map(f => ({
        ...f,
        object: { ...f.object, cluster: f.object.cluster ?? cluster },
      }));
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter(f => {
    const key = `${f.code}|${f.object.cluster}|${f.object.kind}|${f.object.namespace}|${f.object.name}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
