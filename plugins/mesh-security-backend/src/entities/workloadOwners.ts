import { Entity } from '@backstage/catalog-model';
import { WorkloadPosture } from '@mesh-security/plugin-mesh-security-common';
import {
  selectWorkloads,
  WorkloadSelector,
  workloadSelectorOf,
} from './resolveWorkloads';

/**
 * Each listed entity's selector, parsed once per listing (the directory replaces its entity
 * objects when it lists again, which drops these).
 */
const selectors = new WeakMap<Entity, WorkloadSelector>();

/**
 * The components among `entities` that own a workload: the reverse of `workloadsOfEntity`, by
 * the same rules (`workloadSelectorOf`, then `selectWorkloads`), so an entity owns exactly the
 * workloads its own view shows. Overlapping selectors give a workload several owners.
 */
export function ownersOf(
  workload: WorkloadPosture,
  entities: Iterable<Entity>,
): Entity[] {
  const owners: Entity[] = [];
  for (const entity of entities) {
    let selector = selectors.get(entity);
    if (!selector) {
      selector = workloadSelectorOf(entity);
      selectors.set(entity, selector);
    }
    if (selector.ok && selectWorkloads(selector, [workload]).length > 0)
      owners.push(entity);
  }
  return owners;
}
