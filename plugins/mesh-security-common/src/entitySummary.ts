import {
  EntityPosture,
  EntityPostureSummary,
  EntityWorkload,
  EntityWorkloadSummary,
} from './api';

/**
 * A workload's part of an entity summary, from its full entry: what `GET /entity/.../summary`
 * answers for it from the same generation.
 *
 * @public
 */
export function entityWorkloadSummary(
  w: EntityWorkload,
): EntityWorkloadSummary {
  return {
    cluster: w.cluster,
    namespace: w.namespace,
    name: w.name,
    kind: w.kind,
    mesh: w.mesh,
    mtls: w.mtls,
    ...(w.mtlsReason === undefined ? {} : { mtlsReason: w.mtlsReason }),
    ports: w.ports,
    policies: w.policies.map(p => ({
      kind: p.kind,
      namespace: p.namespace,
      name: p.name,
    })),
    observed: {
      observations: w.observed.observations,
      ...(w.observed.workload ? { workload: w.observed.workload } : {}),
    },
  };
}

/**
 * An entity's summary from its full answer ({@link EntityPostureSummary}): the same entity-wide
 * fields, the workloads summarised. The backend builds summaries without the full answer; this
 * states what they must equal.
 *
 * @public
 */
export function entityPostureSummary(
  posture: EntityPosture,
): EntityPostureSummary {
  return {
    ...posture,
    workloads: posture.workloads.map(entityWorkloadSummary),
  };
}
