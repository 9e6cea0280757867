import {
  AppliedPolicy,
  EntityPosture,
  EntityPostureSummary,
  EntityWorkloadSummary,
  ObservedWorkloadTraffic,
} from './api';
import { WorkloadPosture } from './model';

/**
 * A workload's part of an entity summary: its identity, mode per port and mesh, the policies
 * that apply to it (named) and the traffic at its ports. The backend builds it from the
 * workload's posture and its graph; {@link entityPostureSummary} from a full answer's entry.
 *
 * @public
 */
export function workloadSummary(
  w: WorkloadPosture,
  policies: ReadonlyArray<Pick<AppliedPolicy, 'kind' | 'namespace' | 'name'>>,
  observed: Pick<ObservedWorkloadTraffic, 'observations' | 'workload'>,
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
    policies: policies.map(p => ({
      kind: p.kind,
      namespace: p.namespace,
      name: p.name,
    })),
    observed: {
      observations: observed.observations,
      ...(observed.workload ? { workload: observed.workload } : {}),
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
    workloads: posture.workloads.map(w =>
      workloadSummary(w, w.policies, w.observed),
    ),
  };
}
