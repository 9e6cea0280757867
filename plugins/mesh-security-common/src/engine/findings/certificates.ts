import { MeshCertificate } from '../../api';
import { Finding, FindingDefinition, Severity } from '../../model';
import { isObject } from '../validate/check';
import { makeFinding } from './make';

/*
 * The meshes' trust roots and their expiry, from public data only: Istio's root certificate
 * (ConfigMap istio-ca-root-cert, "Plug in CA Certificates"), Linkerd's trust anchors (ConfigMap
 * linkerd-identity-trust-roots, "Generating your own mTLS root certificates") and the status of
 * cert-manager Certificates that issue a mesh CA ("Certificate resource", `status.notAfter`).
 * Private keys (Secrets) are never read. Decoding X.509 needs a platform parser, which the
 * caller passes in.
 */

/** MS42x: the meshes' trust roots. */
export const CERTIFICATE_FINDINGS = {
  expiring: {
    code: 'MS420',
    severity: 'medium',
    title: 'Mesh trust root expires soon',
    description:
      'The Istio root certificate, a Linkerd trust anchor or a cert-manager-issued mesh CA expires within the configured window (default 30 days; severity high under 7 days). When it expires, workloads can no longer establish mTLS once their certificates rotate.',
    fix: 'Rotate ahead of expiry: add the new root to the trust bundle, switch the issuer, then remove the old root.',
  },
  expired: {
    code: 'MS421',
    severity: 'critical',
    title: 'Mesh trust root expired',
    description:
      'A mesh trust root or CA certificate is past its notAfter date: new workload certificates chain to an expired root and mTLS handshakes fail.',
    fix: 'Rotate the trust root now (Istio: plug in new cacerts; Linkerd: upgrade with a new trust anchor bundle), keeping the old root in the bundle during the rollover.',
  },
  unreadable: {
    code: 'MS422',
    severity: 'low',
    title: 'Mesh trust root cannot be read',
    description:
      'The trust-root ConfigMap holds no parsable PEM certificate, or cert-manager has not reported notAfter, so its expiry is unknown.',
    fix: 'Check that the ConfigMap holds a PEM bundle under its usual key, or that the Certificate is Ready.',
  },
} satisfies Record<string, FindingDefinition>;

/** MS420 is raised with this severity when fewer days than these are left. */
const EXPIRING_URGENTLY: { days: number; severity: Severity } = {
  days: 7,
  severity: 'high',
};

/**
 * How many days before expiry a trust root is reported (MS420) unless configured otherwise.
 *
 * @public
 */
export const DEFAULT_CERTIFICATE_WARNING_DAYS = 30;

/**
 * The ConfigMaps that hold the meshes' public trust roots, and the key holding the PEM bundle.
 *
 * @public
 */
export const MESH_TRUST_ROOTS: ReadonlyArray<{
  /** Namespace of the ConfigMap. */
  namespace: string;
  /** Name of the ConfigMap. */
  name: string;
  /** The `data` key holding the PEM bundle. */
  key: string;
  /** The role of its certificates. */
  role: MeshCertificate['role'];
}> = [
  {
    namespace: 'istio-system',
    name: 'istio-ca-root-cert',
    key: 'root-cert.pem',
    role: 'istio-root',
  },
  {
    namespace: 'linkerd',
    name: 'linkerd-identity-trust-roots',
    key: 'ca-bundle.crt',
    role: 'linkerd-trust-anchor',
  },
];

/** cert-manager Certificates that issue a mesh CA (Istio `cacerts`, Linkerd's issuer). */
const MESH_CA_SECRETS = new Set([
  'cacerts',
  'istio-ca-secret',
  'linkerd-identity-issuer',
  'linkerd-trust-anchor',
]);

/**
 * The fields of one X.509 certificate the rules read, named as Node's `X509Certificate` names
 * them (so an instance of it is one).
 *
 * @public
 */
export interface ParsedCertificate {
  /** Subject distinguished name (lines are joined with `, `). */
  subject: string;
  /** Issuer distinguished name (lines are joined with `, `). */
  issuer: string;
  /** End of validity (notAfter), as a date string `Date` parses. */
  validTo: string;
}

/**
 * Options of {@link meshCertificates}.
 *
 * @public
 */
export interface MeshCertificateOptions {
  /** The time the expiry is measured from. */
  now: Date;
  /** Certificates with fewer days left are `expiring`. */
  warningDays: number;
  /**
   * Decodes one PEM certificate; throws when it cannot. Without a parser, PEM trust roots are
   * `unknown` (cert-manager Certificates need none: their status carries notAfter).
   */
  parseCertificate?: (pem: string) => ParsedCertificate;
}

const PEM_BLOCK =
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

const DAY_MS = 24 * 60 * 60 * 1000;

function classify(notAfter: Date, options: MeshCertificateOptions) {
  const left = notAfter.getTime() - options.now.getTime();
  const daysLeft = Math.floor(left / DAY_MS);
  let state: MeshCertificate['state'] = 'ok';
  if (daysLeft < options.warningDays) state = 'expiring';
  if (left <= 0) state = 'expired';
  return { daysLeft, state, notAfter: notAfter.toISOString() };
}

const oneLine = (name: string) => name.replace(/\n/g, ', ');

function trustRootCertificates(
  root: (typeof MESH_TRUST_ROOTS)[number],
  pem: unknown,
  options: MeshCertificateOptions,
): MeshCertificate[] {
  const object = {
    kind: 'ConfigMap',
    namespace: root.namespace,
    name: root.name,
  };
  const unknown = (message: string): MeshCertificate => ({
    role: root.role,
    object,
    state: 'unknown',
    message,
  });
  const blocks = typeof pem === 'string' ? pem.match(PEM_BLOCK) ?? [] : [];
  if (blocks.length === 0)
    return [unknown(`no PEM certificate under data["${root.key}"]`)];
  const parse = options.parseCertificate;
  if (!parse) return [unknown('no X.509 parser is available here')];
  return blocks.map(block => {
    let certificate: ParsedCertificate;
    try {
      certificate = parse(block);
    } catch {
      return unknown('certificate cannot be parsed');
    }
    const notAfter = new Date(certificate.validTo);
    if (Number.isNaN(notAfter.getTime()))
      return unknown('certificate cannot be parsed');
    return {
      role: root.role,
      object,
      subject: oneLine(certificate.subject),
      issuer: oneLine(certificate.issuer),
      ...classify(notAfter, options),
    };
  });
}

function certManagerCertificate(
  certificate: Record<string, unknown>,
  spec: Record<string, unknown>,
  options: MeshCertificateOptions,
): MeshCertificate {
  const metadata = certificate.metadata as { namespace: string; name: string };
  const object = {
    kind: 'Certificate',
    namespace: metadata.namespace,
    name: metadata.name,
  };
  const status = certificate.status;
  const notAfter = isObject(status) ? Date.parse(String(status.notAfter)) : NaN;
  const issuerRef = isObject(spec.issuerRef)
    ? `${spec.issuerRef.kind ?? 'Issuer'}/${spec.issuerRef.name}`
    : undefined;
  const subject = spec.commonName as string | undefined;
  if (Number.isNaN(notAfter)) {
    return {
      role: 'cert-manager',
      object,
      subject,
      issuer: issuerRef,
      state: 'unknown',
      message: 'cert-manager has not reported notAfter yet',
    };
  }
  return {
    role: 'cert-manager',
    object,
    subject,
    issuer: issuerRef,
    ...classify(new Date(notAfter), options),
  };
}

/**
 * The meshes' certificate health among the objects: every certificate of the trust-root
 * ConfigMaps ({@link MESH_TRUST_ROOTS}) and the cert-manager Certificates issuing a mesh CA.
 *
 * @public
 */
export function meshCertificates(
  objects: unknown[],
  options: MeshCertificateOptions,
): MeshCertificate[] {
  const out: MeshCertificate[] = [];
  for (const object of objects) {
    if (!isObject(object) || !isObject(object.metadata)) continue;
    const { namespace, name } = object.metadata;
    if (object.kind === 'ConfigMap') {
      const root = MESH_TRUST_ROOTS.find(
        r => r.namespace === namespace && r.name === name,
      );
      if (!root) continue;
      const pem = isObject(object.data) ? object.data[root.key] : undefined;
      out.push(...trustRootCertificates(root, pem, options));
    } else if (object.kind === 'Certificate' && isObject(object.spec)) {
      const spec = object.spec;
      const isMeshCa =
        (typeof spec.secretName === 'string' &&
          MESH_CA_SECRETS.has(spec.secretName)) ||
        (spec.isCA === true &&
          (namespace === 'istio-system' || namespace === 'linkerd'));
      if (isMeshCa) out.push(certManagerCertificate(object, spec, options));
    }
  }
  return out;
}

/** "2027-03-01 UTC": a certificate's date as people read it (the timestamp stays in `notAfter`). */
function dayOf(iso: string | undefined): string {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t)
    ? 'an unknown date'
    : `${new Date(t).toISOString().slice(0, 10)} UTC`;
}

const ROLE_NAMES: Record<MeshCertificate['role'], string> = {
  'istio-root': 'Istio root certificate',
  'linkerd-trust-anchor': 'Linkerd trust anchor',
  'cert-manager': 'mesh CA certificate (cert-manager)',
};

/**
 * MS420–MS422 for expiring, expired and unreadable trust roots.
 *
 * @public
 */
export function certificateFindings(
  cluster: string,
  certificates: MeshCertificate[],
): Finding[] {
  return certificates.flatMap((certificate): Finding[] => {
    const object = { ...certificate.object, cluster };
    const what = ROLE_NAMES[certificate.role];
    const where = `${object.kind} ${object.namespace}/${object.name}`;
    switch (certificate.state) {
      case 'expired':
        return [
          makeFinding(
            CERTIFICATE_FINDINGS.expired,
            object,
            `${what} ${
              certificate.subject ?? ''
            } in ${where} expired on ${dayOf(
              certificate.notAfter,
            )}: workloads can no longer establish mTLS once their certificates rotate.`,
          ),
        ];
      case 'expiring': {
        const finding = makeFinding(
          CERTIFICATE_FINDINGS.expiring,
          object,
          `${what} ${certificate.subject ?? ''} in ${where} expires in ${
            certificate.daysLeft
          } days (on ${dayOf(certificate.notAfter)}).`,
        );
        if ((certificate.daysLeft ?? 0) < EXPIRING_URGENTLY.days)
          finding.severity = EXPIRING_URGENTLY.severity;
        return [finding];
      }
      case 'unknown':
        return [
          makeFinding(
            CERTIFICATE_FINDINGS.unreadable,
            object,
            `${what} in ${where} cannot be read: ${certificate.message}.`,
          ),
        ];
      default:
        return [];
    }
  });
}
