import { Entity } from '@backstage/catalog-model';
import { WorkloadPosture } from '@mesh-security/plugin-mesh-security-common';
import {
  matchesSelector,
  parseLabelSelector,
  Requirement,
} from './labelSelector';

/** The Kubernetes plugin's annotations, reused so a catalog set up for it works unchanged. */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
export const KUBERNETES_LABEL_SELECTOR_ANNOTATION =
  'backstage.io/kubernetes-label-selector';
export const KUBERNETES_NAMESPACE_ANNOTATION =
  'backstage.io/kubernetes-namespace';

/** How an entity selects its workloads, or why it cannot. */
export type WorkloadSelector =
  | {
      ok: true;
      requirements: Requirement[];
      namespace?: string;
      description: string;
    }
  | { ok: false; reason: string };

/**
 * Reads an entity's workload selector the way `@backstage/plugin-kubernetes` does: the
 * label selector annotation wins over `kubernetes-id` (which means the label
 * `backstage.io/kubernetes-id=<id>`), optionally limited to one namespace.
 */
export function workloadSelectorOf(entity: Entity): WorkloadSelector {
  const annotations = entity.metadata.annotations ?? {};
  const namespace =
    annotations[KUBERNETES_NAMESPACE_ANNOTATION]?.trim() || undefined;
  const selector = annotations[KUBERNETES_LABEL_SELECTOR_ANNOTATION]?.trim();
  if (selector) {
    try {
      return {
        ok: true,
        requirements: parseLabelSelector(selector),
        namespace,
        description: selector,
      };
    } catch (error) {
      return {
        ok: false,
        reason: `annotation ${KUBERNETES_LABEL_SELECTOR_ANNOTATION} is invalid: ${
          (error as Error).message
        }`,
      };
    }
  }
  const id = annotations[KUBERNETES_ID_ANNOTATION]?.trim();
  if (id) {
    return {
      ok: true,
      requirements: [{ key: KUBERNETES_ID_ANNOTATION, op: 'in', values: [id] }],
      namespace,
      description: `${KUBERNETES_ID_ANNOTATION}=${id}`,
    };
  }
  return {
    ok: false,
    reason: `the entity has neither ${KUBERNETES_ID_ANNOTATION} nor ${KUBERNETES_LABEL_SELECTOR_ANNOTATION}`,
  };
}

/** The workloads (of one cluster's evaluation) that belong to the entity. */
export function selectWorkloads(
  selector: Extract<WorkloadSelector, { ok: true }>,
  workloads: WorkloadPosture[],
): WorkloadPosture[] {
  return workloads.filter(
    w =>
      (!selector.namespace || w.namespace === selector.namespace) &&
      matchesSelector(selector.requirements, w.labels),
  );
}
