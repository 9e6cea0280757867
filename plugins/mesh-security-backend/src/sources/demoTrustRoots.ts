import { MESH_TRUST_ROOTS } from '@mesh-security/plugin-mesh-security-common';
import {
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';

/*
 * Demo only (`demoTrustRoots` of a manifests cluster, docs/backend.md "Demo trust roots"): a
 * trust-root ConfigMap of the demo's files is served with its certificates re-issued when the
 * backend starts, each with its own subject and a validity from then for the configured days.
 * A certificate in a file expires on a fixed date; the demo's "trust anchor expires soon" story
 * has to hold on whatever day someone starts it, as the history seed's days do. The new
 * certificates are self-signed with a fresh P-256 key that lives only for the signature; no
 * private key is read or kept.
 */

/** One trust-root ConfigMap re-issued, and for how long. */
export interface DemoTrustRoot {
  /** `namespace/name` of one of the meshes' trust-root ConfigMaps (`MESH_TRUST_ROOTS`). */
  configMap: string;
  /** Days the re-issued certificates are valid from the backend's start. */
  validDays: number;
}

/** The meshes' trust-root ConfigMaps by `namespace/name`. */
const TRUST_ROOTS = new Map(
  MESH_TRUST_ROOTS.map(root => [`${root.namespace}/${root.name}`, root]),
);

/** The ConfigMaps `demoTrustRoots` may name: the meshes' trust roots. */
export const DEMO_TRUST_ROOT_CONFIG_MAPS = [...TRUST_ROOTS.keys()];

const DAY_MS = 24 * 60 * 60 * 1000;

/** A DER element: tag, then length, then content (up to 64 KiB: a certificate's parts). */
function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const length = body.length;
  let head: Buffer;
  if (length < 0x80) head = Buffer.from([tag, length]);
  else if (length < 0x100) head = Buffer.from([tag, 0x81, length]);
  else if (length < 0x10000)
    head = Buffer.from([tag, 0x82, Math.floor(length / 256), length % 256]);
  else throw new Error(`DER element of ${length} bytes`);
  return Buffer.concat([head, body]);
}

const SEQUENCE = 0x30;
/** ecdsa-with-SHA256 (RFC 5758 §3.2: parameters absent). */
const ECDSA_SHA256 = der(
  SEQUENCE,
  Buffer.from([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]),
);
/** basicConstraints (2.5.29.19), critical, cA TRUE. */
const CA_TRUE = Buffer.from('300f0603551d130101ff040530030101ff', 'hex');
/** keyUsage (2.5.29.15), critical, keyCertSign and cRLSign. */
const KEY_CERT_SIGN = Buffer.from('300e0603551d0f0101ff040403020106', 'hex');

/** UTCTime (RFC 5280 §4.1.2.5.1: years up to 2049), else GeneralizedTime; whole seconds. */
function time(date: Date): Buffer {
  // 2026-12-06T03:33:55.123Z → 20261206033355Z
  const digits = `${date.toISOString().slice(0, 19).replace(/[-:T]/g, '')}Z`;
  return date.getUTCFullYear() < 2050
    ? der(0x17, Buffer.from(digits.slice(2), 'ascii'))
    : der(0x18, Buffer.from(digits, 'ascii'));
}

/** The element starting at `offset`: where its content starts and where it ends. */
function element(buffer: Buffer, offset: number) {
  const first = buffer[offset + 1];
  if (first === undefined) throw new Error('truncated DER');
  let start = offset + 2;
  let length = first;
  if (first >= 0x80) {
    const bytes = first - 0x80;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + buffer[start + i];
    start += bytes;
  }
  const end = start + length;
  if (end > buffer.length) throw new Error('truncated DER');
  return { tag: buffer[offset], start, end };
}

/** The subject Name of a DER certificate, as its DER bytes. */
function subjectOf(certificate: Buffer): Buffer {
  const tbs = element(certificate, element(certificate, 0).start);
  let offset = tbs.start;
  // version [0] (optional), serialNumber, signature, issuer, validity, then subject.
  if (certificate[offset] === 0xa0) offset = element(certificate, offset).end;
  for (let i = 0; i < 4; i++) offset = element(certificate, offset).end;
  return certificate.subarray(offset, element(certificate, offset).end);
}

/**
 * A self-signed CA certificate with the subject of `template`, valid from `notBefore` to
 * `notAfter`, signed with a fresh P-256 key; PEM.
 */
export function reissueCertificate(
  template: X509Certificate,
  notBefore: Date,
  notAfter: Date,
): string {
  const subject = subjectOf(template.raw);
  const { publicKey, privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
  });
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01; // eslint-disable-line no-bitwise
  const tbs = der(
    SEQUENCE,
    Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02]), // version 3
    der(0x02, serial),
    ECDSA_SHA256,
    subject, // issuer: self-signed
    der(SEQUENCE, time(notBefore), time(notAfter)),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, der(SEQUENCE, CA_TRUE, KEY_CERT_SIGN)),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = der(
    SEQUENCE,
    tbs,
    ECDSA_SHA256,
    der(0x03, Buffer.from([0]), signature),
  );
  const lines = certificate
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n');
  return `-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`;
}

const PEM_BLOCK =
  /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g;

/**
 * Serves the named trust-root ConfigMaps of a manifests cluster with their certificates
 * re-issued from `start`. Each ConfigMap object is replaced by a copy once and the copy kept
 * for as long as the file's object is (a file read again unchanged gives the same objects, so
 * the snapshot does not change with every read). A bundle that does not parse is left as it
 * is, for the engine to report (MS422).
 */
export function demoTrustRootsReissuer(
  roots: DemoTrustRoot[],
  start: Date = new Date(),
): (objects: unknown[]) => unknown[] {
  const wanted = new Map<string, { key: string; notAfter: Date }>();
  for (const root of roots) {
    const mesh = TRUST_ROOTS.get(root.configMap);
    if (!mesh) continue;
    wanted.set(root.configMap, {
      key: mesh.key,
      notAfter: new Date(start.getTime() + root.validDays * DAY_MS),
    });
  }
  const copies = new WeakMap<object, unknown>();

  const reissue = (object: any): unknown => {
    const target = wanted.get(
      `${object.metadata?.namespace}/${object.metadata?.name}`,
    );
    const bundle = object.data?.[target?.key ?? ''];
    if (!target || typeof bundle !== 'string') return object;
    let replaced: string;
    try {
      replaced = bundle.replace(PEM_BLOCK, block =>
        reissueCertificate(new X509Certificate(block), start, target.notAfter),
      );
    } catch {
      return object;
    }
    return {
      ...object,
      data: { ...object.data, [target.key]: replaced },
    };
  };

  return objects =>
    wanted.size === 0
      ? objects
      : objects.map(object => {
          if (
            typeof object !== 'object' ||
            object === null ||
            (object as { kind?: unknown }).kind !== 'ConfigMap'
          )
            return object;
          if (!copies.has(object)) copies.set(object, reissue(object));
          return copies.get(object);
        });
}
