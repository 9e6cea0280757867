import { createHash } from 'node:crypto';
import {
  EntityPosture,
  findingDefinition,
  MeshCertificate,
  SEVERITIES,
  Severity,
} from '@mesh-security/plugin-mesh-security-common';
import { NotificationSeverity } from '@backstage/plugin-notifications-common';

/**
 * Findings that say a rule allows everyone (docs/findings.md): an Istio ALLOW rule `{}` (MS201)
 * and a Linkerd authentication of every client (MS213). Notified whatever the threshold.
 */
export const ALLOW_ALL_CODES: ReadonlySet<string> = new Set(['MS201', 'MS213']);

/** The trust-root findings (MS420–MS422): certificates are their own cause, by days left. */
const CERTIFICATE_CODES = new Set(['MS420', 'MS421', 'MS422']);

/** Longest cause key stored (the column's width). */
const MAX_CAUSE_LENGTH = 512;

/** The cause key that marks a component as observed once (its baseline). */
export const BASELINE_CAUSE = 'component';

/** What one cause of a component looks like now. */
export interface CauseObservation {
  /** The state, e.g. a port's mode, `present`, `expiring`. */
  state: string;
  /** The state is a regression of this cause. */
  bad: boolean;
  /**
   * A cause first seen bad is a regression (a new finding); otherwise (a new port, a newly
   * read certificate) it only starts being tracked.
   */
  newIsRegression: boolean;
  /** The notification's title and description, and its severity, while bad. */
  title: string;
  description: string;
  severity: NotificationSeverity;
}

/** The causes of one component: those observed, and those whose state is not known now. */
export interface ComponentCauses {
  observed: Map<string, CauseObservation>;
  /** Causes that cannot be told now (e.g. a port UNKNOWN): their last state is kept. */
  unknown: Set<string>;
}

/** A key bounded to the column: long ones end in a hash of the whole key. */
function bounded(key: string): string {
  if (key.length <= MAX_CAUSE_LENGTH) return key;
  const hash = createHash('sha256').update(key).digest('hex');
  return `${key.slice(0, MAX_CAUSE_LENGTH - 65)}#${hash}`;
}

function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

function notificationSeverity(severity: Severity): NotificationSeverity {
  if (severity === 'critical') return 'critical';
  if (severity === 'high') return 'high';
  return 'normal';
}

/** Which meshes a certificate of this role serves. */
function servesMesh(role: MeshCertificate['role'], mesh: string): boolean {
  if (role === 'istio-root') return mesh.startsWith('istio-');
  if (role === 'linkerd-trust-anchor') return mesh === 'linkerd';
  return mesh !== 'none'; // a cert-manager mesh CA: either mesh's
}

/**
 * The causes a component's posture is watched for (docs/backend.md "Notifications on
 * regressions"): each port's mode (a regression once it leaves STRICT), each finding (a
 * regression when one at or above the threshold, or an allow-all rule, appears), and each trust
 * root or mesh CA of the component's clusters and meshes (a regression when it enters the warning
 * window).
 */
export function componentCauses(
  posture: EntityPosture,
  options: {
    componentName: string;
    severityThreshold: Severity;
    certificateWarningDays: number;
  },
): ComponentCauses {
  const observed = new Map<string, CauseObservation>();
  const unknown = new Set<string>();
  const name = options.componentName;

  for (const workload of posture.workloads) {
    const where = `${workload.namespace}/${workload.name}`;
    for (const port of workload.ports) {
      const key = bounded(
        `port:${workload.cluster}/${workload.namespace}/${workload.kind}/${
          workload.name
        }:${port.port}/${port.protocol ?? 'TCP'}`,
      );
      // UNKNOWN is no verdict (e.g. an object the engine does not model): neither a
      // regression nor a recovery.
      if (port.mtls === 'UNKNOWN') {
        unknown.add(key);
        continue;
      }
      const label = port.name ? `${port.port} (${port.name})` : `${port.port}`;
      observed.set(key, {
        state: port.mtls,
        bad: port.mtls !== 'STRICT',
        newIsRegression: false,
        title: `${name}: port ${label} of ${where} left STRICT`,
        description: `It is now ${port.mtls}${
          port.reason ? `: ${port.reason}` : ''
        } (cluster ${workload.cluster}).`,
        severity: 'high',
      });
    }
  }

  // Every finding is tracked, so that lowering the threshold does not announce old findings
  // as new; only those at or above it (and allow-all rules) are regressions.
  for (const finding of posture.findings) {
    if (CERTIFICATE_CODES.has(finding.code)) continue;
    const allowAll = ALLOW_ALL_CODES.has(finding.code);
    const { object } = finding;
    const key = bounded(
      `${allowAll ? 'allow-all' : 'finding'}:${finding.code}:${
        object.cluster ?? ''
      }/${object.kind}/${object.namespace}/${object.name}`,
    );
    const existing = observed.get(key);
    const bad =
      allowAll || atLeast(finding.severity, options.severityThreshold);
    // The same code on the same object is one cause (bad if any of them is).
    if (existing && (existing.bad || !bad)) continue;
    const title = findingDefinition(finding.code)?.title ?? finding.code;
    observed.set(key, {
      state: 'present',
      bad,
      newIsRegression: true,
      title: allowAll
        ? `${name}: an allow-all rule appeared (${finding.code}, ${object.kind} ${object.namespace}/${object.name})`
        : `${name}: new ${finding.severity} finding ${finding.code}: ${title}`,
      description: `${finding.message} Fix: ${finding.fix}`,
      severity: allowAll ? 'high' : notificationSeverity(finding.severity),
    });
  }

  for (const cluster of posture.clusters) {
    const meshes = new Set(
      posture.workloads
        .filter(w => w.cluster === cluster.name)
        .map(w => w.mesh),
    );
    for (const certificate of cluster.certificates) {
      if (![...meshes].some(mesh => servesMesh(certificate.role, mesh))) {
        continue;
      }
      const { object } = certificate;
      const key = bounded(
        `certificate:${cluster.name}/${certificate.role}/${object.kind}/${object.namespace}/${object.name}`,
      );
      if (certificate.daysLeft === undefined) {
        unknown.add(key); // expiry not known: keep what was known
        continue;
      }
      const { daysLeft } = certificate;
      let state = 'ok';
      if (daysLeft < 0) state = 'expired';
      else if (daysLeft < options.certificateWarningDays) state = 'expiring';
      observed.set(key, {
        state,
        bad: state !== 'ok',
        newIsRegression: false,
        title:
          state === 'expired'
            ? `${name}: mesh trust root ${object.namespace}/${object.name} has expired`
            : `${name}: mesh trust root ${object.namespace}/${object.name} expires in ${daysLeft} day(s)`,
        description: `${certificate.role} certificate${
          certificate.subject ? ` ${certificate.subject}` : ''
        } of cluster ${cluster.name}, valid until ${
          certificate.notAfter ?? 'an unknown date'
        }. Rotate it before workloads can no longer establish mTLS.`,
        severity: state === 'expired' ? 'critical' : 'high',
      });
    }
  }
  return { observed, unknown };
}
