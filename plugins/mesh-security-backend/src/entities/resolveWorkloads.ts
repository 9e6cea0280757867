import { Entity } from '@backstage/catalog-model';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';
import {
  KUBERNETES_NAMESPACE_ANNOTATION,
  WorkloadPosture,
} from '@mesh-security/plugin-mesh-security-common';
import {
  matchesSelector,
  parseLabelSelector,
  Requirement,
} from './labelSelector';

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
  const selector =
    annotations[KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION]?.trim();
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
        reason: `annotation ${KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION} is invalid: ${
          (error as Error).message
        }`,
      };
    }
  }
  const id = annotations[KUBERNETES_ANNOTATION]?.trim();
  if (id) {
    return {
      ok: true,
      requirements: [{ key: KUBERNETES_ANNOTATION, op: 'in', values: [id] }],
      namespace,
      description: `${KUBERNETES_ANNOTATION}=${id}`,
    };
  }
  return {
    ok: false,
    reason: `the entity has neither ${KUBERNETES_ANNOTATION} nor ${KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION}`,
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
