import { MeshCertificate } from '@mesh-security/plugin-mesh-security-common';
import { X509Certificate } from 'node:crypto';

type Json = Record<string, any>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const PEM_BLOCK =
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The ConfigMaps that hold public trust roots, and the key holding the PEM bundle. */
export const TRUST_ROOTS: Array<{
  namespace: string;
  name: string;
  key: string;
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

const DAY_MS = 24 * 60 * 60 * 1000;

function classify(notAfter: Date, now: Date, warningDays: number) {
  const daysLeft = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
  let state: MeshCertificate['state'] = 'ok';
  if (daysLeft < warningDays) state = 'expiring';
  if (notAfter.getTime() <= now.getTime()) state = 'expired';
  return { daysLeft, state, notAfter: notAfter.toISOString() };
}

/**
 * The meshes' certificate health from public data only: the trust-root ConfigMaps' PEM
 * certificates and cert-manager Certificate status. Private keys (Secrets) are never read.
 */
export function meshCertificates(
  objects: unknown[],
  options: { now: Date; warningDays: number },
): MeshCertificate[] {
  const out: MeshCertificate[] = [];
  for (const obj of objects) {
    if (!isObject(obj) || !isObject(obj.metadata)) continue;
    const { namespace, name } = obj.metadata;
    if (obj.kind === 'ConfigMap') {
      const root = TRUST_ROOTS.find(
        r => r.namespace === namespace && r.name === name,
      );
      if (!root) continue;
      const object = { kind: 'ConfigMap', namespace, name };
      const pem = isObject(obj.data) ? obj.data[root.key] : undefined;
      const blocks = typeof pem === 'string' ? pem.match(PEM_BLOCK) ?? [] : [];
      if (blocks.length === 0) {
        out.push({
          role: root.role,
          object,
          state: 'unknown',
          message: `no PEM certificate under data["${root.key}"]`,
        });
        continue;
      }
      for (const block of blocks) {
        try {
          const cert = new X509Certificate(block);
          out.push({
            role: root.role,
            object,
            subject: cert.subject.replace(/\n/g, ', '),
            issuer: cert.issuer.replace(/\n/g, ', '),
            ...classify(
              new Date(cert.validTo),
              options.now,
              options.warningDays,
            ),
          });
        } catch {
          out.push({
            role: root.role,
            object,
            state: 'unknown',
            message: 'certificate cannot be parsed',
          });
        }
      }
    } else if (obj.kind === 'Certificate' && isObject(obj.spec)) {
      const isMeshCa =
        MESH_CA_SECRETS.has(obj.spec.secretName) ||
        (obj.spec.isCA === true &&
          (namespace === 'istio-system' || namespace === 'linkerd'));
      if (!isMeshCa) continue;
      const object = { kind: 'Certificate', namespace, name };
      const notAfter = isObject(obj.status)
        ? Date.parse(obj.status.notAfter)
        : NaN;
      const issuerRef = isObject(obj.spec.issuerRef)
        ? `${obj.spec.issuerRef.kind ?? 'Issuer'}/${obj.spec.issuerRef.name}`
        : undefined;
      if (Number.isNaN(notAfter)) {
        out.push({
          role: 'cert-manager',
          object,
          subject: obj.spec.commonName,
          issuer: issuerRef,
          state: 'unknown',
          message: 'cert-manager has not reported notAfter yet',
        });
      } else {
        out.push({
          role: 'cert-manager',
          object,
          subject: obj.spec.commonName,
          issuer: issuerRef,
          ...classify(new Date(notAfter), options.now, options.warningDays),
        });
      }
    }
  }
  return out;
}
