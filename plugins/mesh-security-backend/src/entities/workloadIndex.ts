import { KUBERNETES_ANNOTATION } from '@backstage/plugin-kubernetes-common';
import { WorkloadPosture } from '@mesh-security/plugin-mesh-security-common';
import type { ClusterView } from '../snapshots/clusterView';
import { selectWorkloads, WorkloadSelector } from './resolveWorkloads';

const INDEX_KEY = 'index:kubernetes-id';

/**
 * The workloads of one cluster view that belong to an entity. Most entities use
 * `backstage.io/kubernetes-id`, so the view keeps an index by that label (built once per
 * generation); label-selector entities are matched by scanning.
 */
export function workloadsOfEntity(
  view: ClusterView,
  selector: Extract<WorkloadSelector, { ok: true }>,
): WorkloadPosture[] {
  const [first] = selector.requirements;
  const byId =
    selector.requirements.length === 1 &&
    first.key === KUBERNETES_ANNOTATION &&
    first.op === 'in' &&
    first.values.length === 1;
  if (!byId) return selectWorkloads(selector, view.workloads);
  let index = view.memo.get(INDEX_KEY) as
    | Map<string, WorkloadPosture[]>
    | undefined;
  if (!index) {
    index = new Map();
    for (const w of view.workloads) {
      const id = w.labels[KUBERNETES_ANNOTATION];
      if (id === undefined) continue;
      if (!index.has(id)) index.set(id, []);
      index.get(id)!.push(w);
    }
    view.memo.set(INDEX_KEY, index);
  }
  const found = index.get(first.values[0]) ?? [];
  return selector.namespace
    ? found.filter(w => w.namespace === selector.namespace)
    : found;
}
