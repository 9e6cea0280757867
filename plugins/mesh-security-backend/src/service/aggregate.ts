import {
  combineScorecards,
  Finding,
  Mesh,
  MtlsMode,
  Scorecard,
  SEVERITIES,
  Severity,
  WorkloadPosture,
} from '@mesh-security/plugin-mesh-security-common';

/** A component's mode: its workloads' common mode, PARTIAL when they differ. */
export function componentMtls(
  workloads: WorkloadPosture[],
  noWorkloadsReason: string,
): { mtls: MtlsMode; reason?: string } {
  if (workloads.length === 0)
    return { mtls: 'UNKNOWN', reason: noWorkloadsReason };
  const modes = new Set(workloads.map(w => w.mtls));
  if (modes.size === 1) {
    const [mode] = modes;
    return {
      mtls: mode,
      reason: mode === 'UNKNOWN' ? workloads[0].mtlsReason : undefined,
    };
  }
  if (modes.has('UNKNOWN')) {
    const unknown = workloads.find(w => w.mtls === 'UNKNOWN')!;
    return {
      mtls: 'UNKNOWN',
      reason: `${unknown.namespace}/${unknown.name}: ${
        unknown.mtlsReason ?? 'unknown'
      }`,
    };
  }
  return {
    mtls: 'PARTIAL',
    reason: `workloads differ: ${[...modes].sort().join(', ')}`,
  };
}

/**
 * A component's scorecard: the engine's combination of its workloads' scorecards (the worst
 * status per pillar); with no workloads, every pillar is unknown with the reason.
 */
export function componentScorecard(
  workloads: WorkloadPosture[],
  noWorkloadsReason: string,
): Scorecard {
  if (workloads.length === 0) {
    const unknown = { status: 'unknown' as const, detail: noWorkloadsReason };
    return {
      verifyExplicitly: unknown,
      leastPrivilege: unknown,
      assumeBreach: unknown,
      noCredentialLeakage: unknown,
    };
  }
  return combineScorecards(workloads.map(w => w.scorecard));
}

export function countFindings(findings: Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map(s => [s, 0])) as Record<
    Severity,
    number
  >;
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export function meshesOf(workloads: WorkloadPosture[]): Mesh[] {
  return [...new Set(workloads.map(w => w.mesh))].sort();
}
