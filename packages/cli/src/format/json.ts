import {
  AccessDecision,
  Finding,
  WorkloadPosture,
} from '@mesh-security/plugin-mesh-security-common';

/**
 * The `mesh-security evaluate --format json` shape (docs/cli.md "`evaluate`", a stable contract).
 */
export interface CliEvaluateJson {
  /**
   * Every workload, with the {@link WorkloadPosture} fields of the same names; `identity` is
   * null when not meshed, `ports` lists every container port of the pod template.
   */
  workloads: Array<{
    cluster: string;
    namespace: string;
    name: string;
    kind: string;
    serviceAccount: string;
    mesh: WorkloadPosture['mesh'];
    identity: string | null;
    mtls: WorkloadPosture['mtls'];
    ports: Array<{ port: number; mtls: WorkloadPosture['mtls'] }>;
  }>;
  /** Every finding: workload findings and policy findings. */
  findings: Finding[];
}

/**
 * Projects postures and findings to the stable CLI JSON contract (extra fields are left out so
 * that CI scripts can rely on the shape).
 */
export function workloadPostureToCliJson(
  workloads: WorkloadPosture[],
  findings: Finding[],
): CliEvaluateJson {
  return {
    workloads: workloads.map(w => ({
      cluster: w.cluster,
      namespace: w.namespace,
      name: w.name,
      kind: w.kind,
      serviceAccount: w.serviceAccount,
      mesh: w.mesh,
      identity: w.identity,
      mtls: w.mtls,
      ports: w.ports.map(p => ({ port: p.port, mtls: p.mtls })),
    })),
    findings,
  };
}

/**
 * The `mesh-security check --format json` shape.
 */
export interface CliCheckJson {
  /** `ALLOW` when every layer allows the request, else `DENY`. */
  decision: AccessDecision['decision'];
  /**
   * One reason per layer (`mtls`, `authorization`, `network-policy`): the deciding policy as
   * `Kind namespace/name`, or null when a default decided.
   */
  reasons: Array<{ layer: string; policy: string | null; message: string }>;
  /** Conditions that could not be evaluated; absent when everything could be. */
  cannotEvaluate?: string[];
}

/**
 * Projects an access decision to the stable CLI JSON contract.
 */
export function accessDecisionToCliJson(
  decision: AccessDecision,
): CliCheckJson {
  return {
    decision: decision.decision,
    reasons: decision.reasons.map(r => ({
      layer: r.layer,
      policy: r.policy ?? null,
      message: r.message,
    })),
    ...(decision.cannotEvaluate
      ? { cannotEvaluate: decision.cannotEvaluate }
      : {}),
  };
}
