import { EntityPostureSummary, MeshCertificate } from './api';
import { Mesh, MtlsMode } from './model/mesh';
import { SEVERITIES, Severity } from './model/finding';
import { PillarStatus } from './model/scorecard';

/**
 * Version of {@link ComponentSecurityFacts} and {@link COMPONENT_SECURITY_FACT_SCHEMA}: bumped
 * (semver) whenever a fact is added (minor) or changes meaning or type (major), so Tech Insights
 * keeps each version's schema apart.
 *
 * @public
 */
export const COMPONENT_SECURITY_FACTS_VERSION = '1.0.0';

/**
 * The code families of the findings registry (docs/findings.md).
 *
 * @public
 */
export const FINDING_FAMILIES = ['MS1', 'MS2', 'MS3', 'MS4', 'MS5'] as const;

/** The finding that an ALLOW rule allows everyone (docs/findings.md). */
const ALLOW_ALL_CODE = 'MS201';

/**
 * One component's mesh security posture as flat facts (`GET /facts`), the shape Tech Insights
 * stores and its checks read. Computed from the component's entity view (`GET /entity/...`), so
 * a scorecard and the Security tab never disagree. A fact that cannot be known is absent, never
 * guessed: a check on it fails rather than passes.
 *
 * @public
 */
export interface ComponentSecurityFacts {
  /** The component's overall mode: the workloads' common mode, `PARTIAL` when they differ. */
  mtlsMode: MtlsMode;
  /**
   * Per port, its mode: keys `<cluster>/<namespace>/<workload>:<port>`. Empty when the component
   * has no workload.
   */
  portModes: Record<string, MtlsMode>;
  /** Ports of the component's workloads that are STRICT. */
  strictPorts: number;
  /** Ports of the component's workloads. */
  totalPorts: number;
  /** `strictPorts / totalPorts`; absent when the component has no port. */
  strictPortShare?: number;
  /**
   * True when every port is STRICT, there is at least one, and the answer is complete: the fact
   * "STRICT on every port" checks read. False on a partial answer (fail closed).
   */
  allPortsStrict: boolean;
  /** The meshes of the component's workloads, sorted. */
  meshes: Mesh[];
  /** Findings per severity, as the Security tab counts them. */
  findingCounts: Record<Severity, number>;
  /** Findings per code family (`MS1` mTLS … `MS5` observed traffic), every family present. */
  findingFamilies: Record<(typeof FINDING_FAMILIES)[number], number>;
  /** Findings of severity high or critical: the fact "no high findings" checks read. */
  highOrCriticalFindings: number;
  /** ALLOW rules that allow everyone (MS201) among the component's findings. */
  allowAllRules: number;
  /** Pillar "verify explicitly": mTLS STRICT on every port. */
  pillarVerifyExplicitly: PillarStatus;
  /** Pillar "least privilege": explicit ALLOW policies naming callers. */
  pillarLeastPrivilege: PillarStatus;
  /** Pillar "assume breach": a default-deny NetworkPolicy. */
  pillarAssumeBreach: PillarStatus;
  /** Pillar "no credential leakage": Secrets from an external store. */
  pillarNoCredentialLeakage: PillarStatus;
  /**
   * Fewest whole days left among the trust roots and CA certificates of the component's meshes
   * in the clusters its workloads run in (negative once expired); absent when none was read.
   */
  certificateDaysLeft?: number;
  /**
   * Observed mTLS share of what the component's workloads accepted in the evidence window;
   * absent when no traffic was observed (or observations are not configured).
   */
  observedMtlsShare?: number;
  /** True when a cluster was unreachable, stale or not fully read: facts may be incomplete. */
  partial: boolean;
}

/**
 * `GET /facts`: one page of the facts of the annotated components the caller may read.
 *
 * @public
 */
export interface ComponentFactsResponse {
  /** Version of the facts' shape ({@link COMPONENT_SECURITY_FACTS_VERSION}). */
  version: string;
  /** The page, sorted by entity reference. */
  items: Array<{ entityRef: string; facts: ComponentSecurityFacts }>;
  /** Number of components across all pages. */
  totalItems: number;
  /** The offset applied. */
  offset: number;
  /** The page size applied. */
  limit: number;
}

/**
 * A fact's type in the Tech Insights schema (`@backstage-community/plugin-tech-insights-common`
 * `FactSchema`).
 *
 * @public
 */
export type FactValueType =
  | 'integer'
  | 'float'
  | 'string'
  | 'boolean'
  | 'datetime'
  | 'set'
  | 'object';

/**
 * The Tech Insights schema of {@link ComponentSecurityFacts}: one entry per fact, records as
 * `object` facts.
 *
 * @public
 */
export const COMPONENT_SECURITY_FACT_SCHEMA: Record<
  keyof ComponentSecurityFacts,
  { type: FactValueType; description: string }
> = {
  mtlsMode: {
    type: 'string',
    description:
      'Overall mTLS mode: STRICT, PERMISSIVE, DISABLED, UNMESHED, PARTIAL (workloads differ) or UNKNOWN',
  },
  portModes: {
    type: 'object',
    description:
      'mTLS mode per port, keyed <cluster>/<namespace>/<workload>:<port>',
  },
  strictPorts: { type: 'integer', description: 'Ports that are STRICT' },
  totalPorts: {
    type: 'integer',
    description: "Ports of the component's workloads",
  },
  strictPortShare: {
    type: 'float',
    description: 'Share of ports that are STRICT (0–1); absent without ports',
  },
  allPortsStrict: {
    type: 'boolean',
    description:
      'Every port STRICT, at least one port, complete data (false when partial)',
  },
  meshes: { type: 'set', description: 'Meshes of the workloads' },
  findingCounts: {
    type: 'object',
    description: 'Findings per severity (critical, high, medium, low, info)',
  },
  findingFamilies: {
    type: 'object',
    description:
      'Findings per code family: MS1 mTLS, MS2 authorization, MS3 network policy, MS4 identity and objects, MS5 observed traffic',
  },
  highOrCriticalFindings: {
    type: 'integer',
    description: 'Findings of severity high or critical',
  },
  allowAllRules: {
    type: 'integer',
    description: 'ALLOW rules that allow everyone (finding MS201)',
  },
  pillarVerifyExplicitly: {
    type: 'string',
    description:
      'Pillar "verify explicitly" (mTLS STRICT): pass, warn, fail or unknown',
  },
  pillarLeastPrivilege: {
    type: 'string',
    description:
      'Pillar "least privilege" (explicit ALLOW policies): pass, warn, fail or unknown',
  },
  pillarAssumeBreach: {
    type: 'string',
    description:
      'Pillar "assume breach" (default-deny NetworkPolicy): pass, warn, fail or unknown',
  },
  pillarNoCredentialLeakage: {
    type: 'string',
    description:
      'Pillar "no credential leakage" (external secret store): pass, warn, fail or unknown',
  },
  certificateDaysLeft: {
    type: 'integer',
    description:
      "Fewest days left among the trust roots and CA certificates of the component's meshes",
  },
  observedMtlsShare: {
    type: 'float',
    description:
      'Observed mTLS share of accepted traffic in the evidence window (0–1); absent when not observed',
  },
  partial: {
    type: 'boolean',
    description:
      'True when a cluster was not fully read: facts may be incomplete',
  },
};

/** The meshes a certificate belongs to, from its role or (cert-manager) its namespace. */
function certificateMeshes(certificate: MeshCertificate): Mesh[] | undefined {
  if (certificate.role === 'istio-root')
    return ['istio-sidecar', 'istio-ambient'];
  if (certificate.role === 'linkerd-trust-anchor') return ['linkerd'];
  const namespace = certificate.object.namespace;
  if (namespace === 'istio-system') return ['istio-sidecar', 'istio-ambient'];
  if (namespace === 'linkerd') return ['linkerd'];
  return undefined; // a CA of no known mesh: counts for every mesh, rather than dropped unseen
}

/**
 * The facts of one component, from its entity view or its summary (the same facts).
 *
 * @public
 */
export function componentSecurityFacts(
  posture: EntityPostureSummary,
): ComponentSecurityFacts {
  const portModes: Record<string, MtlsMode> = {};
  let strictPorts = 0;
  let totalPorts = 0;
  let mtls = 0;
  let plaintext = 0;
  let observed = false;
  for (const workload of posture.workloads) {
    for (const port of workload.ports) {
      portModes[
        `${workload.cluster}/${workload.namespace}/${workload.name}:${port.port}`
      ] = port.mtls;
      totalPorts++;
      if (port.mtls === 'STRICT') strictPorts++;
    }
    const traffic = workload.observed.workload;
    if (traffic?.observable) {
      for (const port of traffic.ports) {
        observed = true;
        mtls += port.evidence.mtls;
        plaintext += port.evidence.plaintext;
      }
    }
  }

  const findingFamilies = Object.fromEntries(
    FINDING_FAMILIES.map(family => [family, 0]),
  ) as ComponentSecurityFacts['findingFamilies'];
  let allowAllRules = 0;
  for (const finding of posture.findings) {
    const family = finding.code.slice(0, 3) as keyof typeof findingFamilies;
    if (family in findingFamilies) findingFamilies[family]++;
    if (finding.code === ALLOW_ALL_CODE) allowAllRules++;
  }
  const findingCounts = Object.fromEntries(
    SEVERITIES.map(severity => [
      severity,
      posture.findingCounts[severity] ?? 0,
    ]),
  ) as Record<Severity, number>;

  const clusters = new Set(posture.workloads.map(w => w.cluster));
  const daysLeft = posture.clusters
    .filter(cluster => clusters.has(cluster.name))
    .flatMap(cluster => cluster.certificates)
    .filter(certificate => {
      const meshes = certificateMeshes(certificate);
      return !meshes || meshes.some(m => posture.meshes.includes(m));
    })
    .map(certificate => certificate.daysLeft)
    .filter((days): days is number => typeof days === 'number');

  const { scorecard } = posture;
  return {
    mtlsMode: posture.mtls,
    portModes,
    strictPorts,
    totalPorts,
    ...(totalPorts > 0 ? { strictPortShare: strictPorts / totalPorts } : {}),
    allPortsStrict:
      !posture.partial && totalPorts > 0 && strictPorts === totalPorts,
    meshes: [...posture.meshes].sort(),
    findingCounts,
    findingFamilies,
    highOrCriticalFindings: findingCounts.critical + findingCounts.high,
    allowAllRules,
    pillarVerifyExplicitly: scorecard.verifyExplicitly.status,
    pillarLeastPrivilege: scorecard.leastPrivilege.status,
    pillarAssumeBreach: scorecard.assumeBreach.status,
    pillarNoCredentialLeakage: scorecard.noCredentialLeakage.status,
    ...(daysLeft.length > 0
      ? { certificateDaysLeft: Math.min(...daysLeft) }
      : {}),
    ...(observed && mtls + plaintext > 0
      ? { observedMtlsShare: mtls / (mtls + plaintext) }
      : {}),
    partial: posture.partial,
  };
}
