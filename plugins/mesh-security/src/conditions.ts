import { Entity } from '@backstage/catalog-model';

/** The Kubernetes plugin's annotations that tie a component to its workloads. */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
export const KUBERNETES_LABEL_SELECTOR_ANNOTATION =
  'backstage.io/kubernetes-label-selector';

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
    annotations[KUBERNETES_ID_ANNOTATION]?.trim() ||
      annotations[KUBERNETES_LABEL_SELECTOR_ANNOTATION]?.trim(),
  );
}
