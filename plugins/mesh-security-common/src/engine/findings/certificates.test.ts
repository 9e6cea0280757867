import { MeshCertificate } from '../../api';
import { certificateFindings, meshCertificates } from './certificates';
import { findingDefinition } from '.';

const cert = (
  state: MeshCertificate['state'],
  daysLeft?: number,
): MeshCertificate => ({
  role: 'linkerd-trust-anchor',
  object: {
    kind: 'ConfigMap',
    namespace: 'linkerd',
    name: 'linkerd-identity-trust-roots',
  },
  subject: 'CN=root.linkerd.cluster.local',
  notAfter: '2026-12-13T00:00:00.000Z',
  daysLeft,
  state,
  message: state === 'unknown' ? 'certificate cannot be parsed' : undefined,
});

describe('certificateFindings', () => {
  it('raises nothing for a healthy certificate', () => {
    expect(certificateFindings('prod', [cert('ok', 200)])).toEqual([]);
  });

  it.each([
    ['expiring', 20, 'MS420', 'medium'],
    ['expiring', 3, 'MS420', 'high'],
    ['expired', -1, 'MS421', 'critical'],
    ['unknown', undefined, 'MS422', 'low'],
  ] as const)(
    'a %s certificate (%s days) → %s (%s)',
    (state, days, code, severity) => {
      const [finding, ...rest] = certificateFindings('prod', [
        cert(state, days),
      ]);
      expect(rest).toEqual([]);
      expect(finding).toMatchObject({
        code,
        severity,
        object: { cluster: 'prod', namespace: 'linkerd' },
      });
      expect(finding.fix).toBe(findingDefinition(code)!.fix);
    },
  );
});

const now = new Date('2026-11-23T00:00:00Z');
const pemBlock = (name: string) =>
  `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----`;
const trustRoots = (bundle: string) => ({
  kind: 'ConfigMap',
  metadata: { namespace: 'linkerd', name: 'linkerd-identity-trust-roots' },
  data: { 'ca-bundle.crt': bundle },
});
/** A stand-in for a platform X.509 parser: the "PEM" body names the certificate. */
const parseCertificate = (pem: string) => {
  const name = pem.split('\n')[1];
  if (name === 'garbage') throw new Error('not a certificate');
  return {
    subject: `CN=${name}\nO=mesh`,
    issuer: 'CN=root',
    validTo: name === 'bad-date' ? 'never' : '2026-12-03T00:37:48Z',
  };
};

describe('meshCertificates', () => {
  it('classifies every certificate of a bundle, and says unknown for what cannot be parsed', () => {
    const certs = meshCertificates(
      [
        trustRoots(
          [pemBlock('a'), pemBlock('garbage'), pemBlock('bad-date')].join('\n'),
        ),
      ],
      { now, warningDays: 30, parseCertificate },
    );
    expect(certs.map(c => [c.state, c.daysLeft ?? c.message])).toEqual([
      ['expiring', 10],
      ['unknown', 'certificate cannot be parsed'],
      ['unknown', 'certificate cannot be parsed'],
    ]);
    expect(certs[0]).toMatchObject({
      role: 'linkerd-trust-anchor',
      subject: 'CN=a, O=mesh',
      notAfter: '2026-12-03T00:37:48.000Z',
    });
  });

  it('says unknown for PEM trust roots when no X.509 parser is available', () => {
    expect(
      meshCertificates([trustRoots(pemBlock('a'))], { now, warningDays: 30 }),
    ).toEqual([
      expect.objectContaining({
        state: 'unknown',
        message: 'no X.509 parser is available here',
      }),
    ]);
  });

  it('reads cert-manager Certificates that issue a mesh CA', () => {
    const certs = meshCertificates(
      [
        {
          kind: 'Certificate',
          metadata: { namespace: 'linkerd', name: 'linkerd-identity-issuer' },
          spec: {
            secretName: 'linkerd-identity-issuer',
            isCA: true,
            commonName: 'identity.linkerd.cluster.local',
            issuerRef: { name: 'linkerd-trust-anchor', kind: 'ClusterIssuer' },
          },
          status: { notAfter: '2026-12-01T00:00:00Z' },
        },
        {
          kind: 'Certificate',
          metadata: { namespace: 'web', name: 'tls' },
          spec: { secretName: 'web-tls' },
          status: { notAfter: '2026-12-01T00:00:00Z' },
        },
      ],
      { now, warningDays: 30 },
    );
    expect(certs).toEqual([
      expect.objectContaining({
        role: 'cert-manager',
        issuer: 'ClusterIssuer/linkerd-trust-anchor',
        daysLeft: 8,
        state: 'expiring',
      }),
    ]);
    expect(certificateFindings('prod', certs).map(f => f.code)).toEqual([
      'MS420',
    ]);
  });
});
