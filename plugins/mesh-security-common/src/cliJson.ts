import { AccessDecision, Finding, WorkloadPosture } from './model';

/**
 * The `mesh-security evaluate --format json` shape (DESIGN.md "CLI contract").
 *
 * @public
 */
export interface CliEvaluateJson {
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
  findings: Finding[];
}

/**
 * Projects postures and findings to the stable CLI JSON contract (extra fields are left out so
 * that CI scripts can rely on the shape).
 *
 * @public
 */
export function workloadPostureToCliJson(workloads: WorkloadPosture[], findings: Finding[]): CliEvaluateJson {
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
 *
 * @public
 */
export interface CliCheckJson {
  decision: AccessDecision['decision'];
  reasons: Array<{ layer: string; policy: string | null; message: string }>;
  cannotEvaluate?: string[];
}

/**
 * Projects an access decision to the stable CLI JSON contract.
 *
 * @public
 */
export function accessDecisionToCliJson(decision: AccessDecision): CliCheckJson {
  return {
    decision: decision.decision,
    reasons: decision.reasons.map(r => ({ layer: r.layer, policy: r.policy ?? null, message: r.message })),
    ...(decision.cannotEvaluate ? { cannotEvaluate: decision.cannotEvaluate } : {}),
  };
}
