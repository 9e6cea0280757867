import { meshCertificates } from '@mesh-security/plugin-mesh-security-common';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseX509 } from '../snapshots/certificates';
import { demoTrustRootsReissuer, reissueCertificate } from './demoTrustRoots';
import { ManifestsSource } from './ManifestsSource';

const linkerdFile = path.resolve(
  __dirname,
  '../../../../catalog/demo-cluster/linkerd.yaml',
);
const istioFile = path.resolve(
  __dirname,
  '../../../../catalog/demo-cluster/istio-system.yaml',
);

/** The ConfigMaps of a demo file, as plain objects. */
const configMaps = (file: string): any[] =>
  parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map(d => d.toJS())
    .filter(o => o?.kind === 'ConfigMap');

const anchorMap = () =>
  configMaps(linkerdFile).find(
    o => o.metadata.name === 'linkerd-identity-trust-roots',
  );
const istioRootMap = () =>
  configMaps(istioFile).find(o => o.metadata.name === 'istio-ca-root-cert');

const DAY = 24 * 60 * 60 * 1000;
const start = new Date('2031-03-05T10:20:30Z');
const LINKERD = [
  { configMap: 'linkerd/linkerd-identity-trust-roots', validDays: 29 },
];

describe('reissueCertificate', () => {
  it('issues a self-signed CA with the template subject and the given validity', () => {
    const template = new X509Certificate(anchorMap().data['ca-bundle.crt']);
    const pem = reissueCertificate(
      template,
      start,
      new Date(start.getTime() + 29 * DAY),
    );
    const cert = new X509Certificate(pem);
    expect(cert.subject).toBe(template.subject);
    expect(cert.subject).toBe('CN=root.linkerd.cluster.local');
    expect(cert.issuer).toBe(cert.subject);
    expect(new Date(cert.validFrom).toISOString()).toBe(
      '2031-03-05T10:20:30.000Z',
    );
    expect(new Date(cert.validTo).toISOString()).toBe(
      '2031-04-03T10:20:30.000Z',
    );
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    // A fresh key and serial each time: nothing is reused from the file.
    const again = new X509Certificate(
      reissueCertificate(template, start, new Date(start.getTime() + DAY)),
    );
    expect(again.serialNumber).not.toBe(cert.serialNumber);
    expect(again.publicKey.equals(cert.publicKey)).toBe(false);
    expect(again.publicKey.equals(template.publicKey)).toBe(false);
  });

  it('keeps a multi-attribute subject and writes GeneralizedTime from 2050', () => {
    const template = new X509Certificate(istioRootMap().data['root-cert.pem']);
    const notAfter = new Date('2051-01-02T03:04:05Z');
    const cert = new X509Certificate(
      reissueCertificate(template, start, notAfter),
    );
    expect(cert.subject).toBe(template.subject);
    expect(cert.subject).toContain('O=cluster.local');
    expect(new Date(cert.validTo).toISOString()).toBe(
      '2051-01-02T03:04:05.000Z',
    );
    expect(cert.verify(cert.publicKey)).toBe(true);
  });
});

describe('demoTrustRootsReissuer', () => {
  it('re-issues only the named ConfigMap, every certificate of its bundle', () => {
    const anchor = anchorMap();
    const bundle = `${anchor.data['ca-bundle.crt']}\n${anchor.data['ca-bundle.crt']}`;
    const twice = { ...anchor, data: { 'ca-bundle.crt': bundle } };
    const istio = istioRootMap();
    const reissue = demoTrustRootsReissuer(LINKERD, start);
    const [out, istioOut] = reissue([twice, istio]) as any[];
    expect(istioOut).toBe(istio);
    expect(twice.data['ca-bundle.crt']).toBe(bundle); // the file's object is not changed
    const certs = meshCertificates([out], {
      now: start,
      warningDays: 30,
      parseCertificate: parseX509,
    });
    expect(certs.map(c => [c.state, c.daysLeft, c.subject])).toEqual([
      ['expiring', 29, 'CN=root.linkerd.cluster.local'],
      ['expiring', 29, 'CN=root.linkerd.cluster.local'],
    ]);
  });

  it('gives the same copy for the same object, so an unchanged file changes nothing', () => {
    const anchor = anchorMap();
    const reissue = demoTrustRootsReissuer(LINKERD, start);
    const [first] = reissue([anchor]);
    const [second] = reissue([anchor]);
    expect(second).toBe(first);
    expect(first).not.toBe(anchor);
  });

  it('leaves a bundle that does not parse for the engine to report', () => {
    const broken = {
      ...anchorMap(),
      data: {
        'ca-bundle.crt':
          '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n',
      },
    };
    const [out] = demoTrustRootsReissuer(LINKERD, start)([broken]);
    expect(out).toBe(broken);
    expect(
      meshCertificates([out], {
        now: start,
        warningDays: 30,
        parseCertificate: parseX509,
      })[0].state,
    ).toBe('unknown');
  });

  it('changes nothing when none is configured', () => {
    const objects = [anchorMap()];
    expect(demoTrustRootsReissuer([], start)(objects)).toBe(objects);
  });
});

describe('ManifestsSource with demoTrustRoots', () => {
  it('serves the demo anchor expiring validDays after the start, on every read', async () => {
    const before = Date.now();
    const source = new ManifestsSource('demo', linkerdFile, {}, LINKERD);
    const first = await source.read();
    const second = await source.read();
    const anchorOf = (objects: unknown[]) =>
      objects.find(
        (o: any) => o.metadata?.name === 'linkerd-identity-trust-roots',
      ) as any;
    expect(anchorOf(second.objects)).toBe(anchorOf(first.objects));
    const cert = new X509Certificate(
      anchorOf(first.objects).data['ca-bundle.crt'],
    );
    const validTo = new Date(cert.validTo).getTime();
    // Whole seconds: the certificate's times have no milliseconds.
    expect(validTo).toBeGreaterThanOrEqual(before + 29 * DAY - 1000);
    expect(validTo).toBeLessThanOrEqual(Date.now() + 29 * DAY);

    const plain = await new ManifestsSource('demo', linkerdFile).read();
    expect(anchorOf(plain.objects).data['ca-bundle.crt']).toBe(
      anchorMap().data['ca-bundle.crt'],
    );
  });
});
