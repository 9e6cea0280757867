import { ParsedCertificate } from '@mesh-security/plugin-mesh-security-common';
import { X509Certificate } from 'node:crypto';

/** Decodes one PEM certificate with Node's X.509 parser, for common's `meshCertificates`. */
export function parseX509(pem: string): ParsedCertificate {
  const certificate = new X509Certificate(pem);
  return {
    subject: certificate.subject,
    issuer: certificate.issuer,
    notAfter: certificate.validTo,
  };
}
