import { Entity } from '@backstage/catalog-model';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';

/**
 * Whether an entity can have a mesh posture: it carries one of the Kubernetes plugin's
 * workload annotations, so a catalog already set up for `@backstage/plugin-kubernetes`
 * works with no extra setup.
 *
 * @public
 */
export function isMeshSecurityAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return Boolean(
    annotations[KUBERNETES_ANNOTATION]?.trim() ||
      annotations[KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION]?.trim(),
  );
}
