import { meshCertificates as meshCertificatesOf } from '@mesh-security/plugin-mesh-security-common';
import { parseX509 } from './certificates';

const meshCertificates = (
  objects: unknown[],
  options: { now: Date; warningDays: number },
) => meshCertificatesOf(objects, { ...options, parseCertificate: parseX509 });

// Public test certificates (no keys): a 10-year RSA root and an EC root expiring 2026-12-03.
const LONG_LIVED = `-----BEGIN CERTIFICATE-----
MIIDPzCCAiegAwIBAgIUeSPmzst92CXOYxO/wyUQ1lJbxmowDQYJKoZIhvcNAQEL
BQAwLzEWMBQGA1UECgwNY2x1c3Rlci5sb2NhbDEVMBMGA1UEAwwMVGVzdCBSb290
IENBMB4XDTI2MTEyMzAwMzc0OFoXDTM2MTEyMDAwMzc0OFowLzEWMBQGA1UECgwN
Y2x1c3Rlci5sb2NhbDEVMBMGA1UEAwwMVGVzdCBSb290IENBMIIBIjANBgkqhkiG
9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxmaEn5SOQbLngDrbhrlehX6lc9qdf/yYBCE/
/0Hj1q4Odx2cWcdmRDO5vdLFLC6IY899vmZBq539TvZHYcjmU+Cfk2AuU4i6d6ch
N8rSQ3bC41kpybFEcCc7W107lnf+xGnG8eVKCtICwSxskiyovN38vzwwqKLdkl25
7DHVT7sAMBczMZMwz+qrRnb4GU3y6lcjpymY34AAPLQBajEDnMhWcLy32Vhg5nhJ
naXbvb98mOXyKMsOZI5Gm8mB6+krs4eeZm3nuSeLWDrYZKtHqoAlhkFIGSFCKYvr
DsL/YZ1rP2IRkZnRYITgX2xYeKO5tOqzeGkkVybAzOZ3eddL2QIDAQABo1MwUTAd
BgNVHQ4EFgQUQgT54RD/XMNsg5VyzM/kGP5ncAUwHwYDVR0jBBgwFoAUQgT54RD/
XMNsg5VyzM/kGP5ncAUwDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOC
AQEArTCp7Z1qlC7Fyxm4pnT2H9/Wwzmd48tuODut+5m/UvInhVB82GFm3jM1tc3t
COA8USExJ4B8WF3MN19DQyzyt4d4V/BaZIP4PJ9LgnWZG1jXJmJ4b2vuD8//Jueq
3v74DdLOmcgtc6It2r/MZs3ninDzw2/xz01Vglf9nj2DUZnnL/NGDBfcY36ILIZ9
kwknhZKHNzt/X6qjkmGx6DexlK3Ys8c5aQ0lQ8f3O+b0CBi4L4V1WUsvJkrBHsML
3QuZmetEDfju8q8OLXzkmDLNQLvlt4U+6n7/cROPzynzkR3qO6z/ZpjJkG9QU0Bh
kmY0lk/eGBVKxUad5eWbNCONEQ==
-----END CERTIFICATE-----`;
const SHORT_LIVED = `-----BEGIN CERTIFICATE-----
MIIBnzCCAUWgAwIBAgIUUTr/mop5ZatxP4j/6FHDq+ZcFjAwCgYIKoZIzj0EAwIw
JTEjMCEGA1UEAwwacm9vdC5saW5rZXJkLmNsdXN0ZXIubG9jYWwwHhcNMjYxMTIz
MDAzNzQ4WhcNMjYxMjAzMDAzNzQ4WjAlMSMwIQYDVQQDDBpyb290LmxpbmtlcmQu
Y2x1c3Rlci5sb2NhbDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABJWK/kWcyas0
wRzms43hXx29EUFQ4uerohFz+XKMLjlP+EsRuRVqQN2XazzlM9m1hX6gHZz+bD4c
QfzC/2cjx/mjUzBRMB0GA1UdDgQWBBSJpxpi917dmzuDVdoUIirJUbDYZTAfBgNV
HSMEGDAWgBSJpxpi917dmzuDVdoUIirJUbDYZTAPBgNVHRMBAf8EBTADAQH/MAoG
CCqGSM49BAMCA0gAMEUCIEXlaH30wj8XKR/rt9cwh1jLrBtD7YGvUjrJ4RO97E2A
AiEAssQMQrpii5Tf41wMs+ib0qYjC2oUneLrHEl5I794a68=
-----END CERTIFICATE-----`;

const now = new Date('2026-11-23T00:00:00Z');
const configMap = (
  namespace: string,
  name: string,
  data: Record<string, string>,
) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace, name },
  data,
});

describe('meshCertificates with the X.509 parser', () => {
  it('reads the Istio root and every Linkerd trust anchor in the bundle', () => {
    const certs = meshCertificates(
      [
        configMap('istio-system', 'istio-ca-root-cert', {
          'root-cert.pem': LONG_LIVED,
        }),
        configMap('linkerd', 'linkerd-identity-trust-roots', {
          'ca-bundle.crt': `${SHORT_LIVED}\n${LONG_LIVED}`,
        }),
        configMap('default', 'unrelated', { 'root-cert.pem': LONG_LIVED }),
      ],
      { now, warningDays: 30 },
    );
    expect(certs.map(c => [c.role, c.state, c.daysLeft])).toEqual([
      ['istio-root', 'ok', 3650],
      ['linkerd-trust-anchor', 'expiring', 10],
      ['linkerd-trust-anchor', 'ok', 3650],
    ]);
    expect(certs[0].subject).toBe('O=cluster.local, CN=Test Root CA');
    expect(certs[1].notAfter).toMatch(/^2026-12-03T/);
  });

  it('honours the configured warning window and flags expired certificates', () => {
    const cm = configMap('linkerd', 'linkerd-identity-trust-roots', {
      'ca-bundle.crt': SHORT_LIVED,
    });
    expect(meshCertificates([cm], { now, warningDays: 5 })[0].state).toBe('ok');
    expect(
      meshCertificates([cm], {
        now: new Date('2027-01-01T00:00:00Z'),
        warningDays: 30,
      })[0],
    ).toMatchObject({ state: 'expired' });
  });

  it('says unknown, with the reason, for missing or unparsable PEM', () => {
    const certs = meshCertificates(
      [
        configMap('istio-system', 'istio-ca-root-cert', {}),
        configMap('linkerd', 'linkerd-identity-trust-roots', {
          'ca-bundle.crt':
            '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----',
        }),
      ],
      { now, warningDays: 30 },
    );
    expect(certs).toEqual([
      expect.objectContaining({
        state: 'unknown',
        message: 'no PEM certificate under data["root-cert.pem"]',
      }),
      expect.objectContaining({
        state: 'unknown',
        message: 'certificate cannot be parsed',
      }),
    ]);
  });
});
