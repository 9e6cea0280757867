import { ParsedCertificate } from '@mesh-security/plugin-mesh-security-common';
import { X509Certificate } from 'node:crypto';

/**
 * Decodes one PEM certificate with Node's X.509 parser, for common's `meshCertificates` (the
 * rule and its findings live there; only the decoding needs Node). Throws when it cannot.
 */
export const parseX509 = (pem: string): ParsedCertificate =>
  new X509Certificate(pem);
