import { MTLS_CASES, MtlsCase } from './cases/mtls';
import { engineOf } from './engine';
import { portName } from '../engine/core/ports';

/*
 * The mTLS-mode table cases (cases/mtls.ts), split by the rule file they exercise: mesh
 * membership (core/mesh), Linkerd's inbound policy (linkerd/server), PeerAuthentication and
 * traffic interception (istio/peerAuthentication). Every case belongs to exactly one.
 */

/** Evaluates one case's workload and asserts its mode, mesh and port modes. */
export function expectMtlsCase(c: MtlsCase) {
  const [namespace, name] = (c.workload ?? 'shop/b').split('/');
  const posture = engineOf(c.objects, c.options).posture({ namespace, name });
  expect(posture.mtls).toBe(c.mtls);
  expect(posture.mesh).toBe(c.mesh ?? posture.mesh);
  const port = (key: string) => posture.ports.find(p => portName(p) === key);
  for (const [key, mode] of Object.entries(c.ports ?? {})) {
    expect(port(key)?.mtls).toBe(mode);
  }
  for (const [key, reason] of Object.entries(c.portReasons ?? {})) {
    expect(port(key)?.reason).toMatch(reason);
  }
  // UNKNOWN and DISABLED always say why.
  expect(
    posture.mtls !== 'UNKNOWN' && posture.mtls !== 'DISABLED'
      ? 'n/a'
      : posture.mtlsReason,
  ).toBeTruthy();
}

const prefixOf = (c: MtlsCase) => c.name.slice(0, c.name.indexOf(':'));
const MEMBERSHIP = new Set([
  'Sidecar injection',
  'Sidecar injection (revision table)',
  'Ambient mode',
  'Linkerd injection',
  'Missing data',
]);
const LINKERD_SERVER = new Set([
  'Linkerd default policies',
  'Linkerd proxy configuration',
  'Linkerd Server',
]);

/** The cases of each rule file. */
export const MTLS_CASES_BY_RULE: Record<string, MtlsCase[]> = {
  'core/mesh': MTLS_CASES.filter(c => MEMBERSHIP.has(prefixOf(c))),
  'linkerd/server': MTLS_CASES.filter(c => LINKERD_SERVER.has(prefixOf(c))),
  'istio/peerAuthentication': MTLS_CASES.filter(
    c => !MEMBERSHIP.has(prefixOf(c)) && !LINKERD_SERVER.has(prefixOf(c)),
  ),
};
