/*
 * Mesh identities of a Kubernetes ServiceAccount (docs/architecture.md "Domain words"): Istio's
 * principal `<trust-domain>/ns/<namespace>/sa/<service-account>` (the SPIFFE ID without
 * `spiffe://`, "Authorization Policy" reference, Source.principals) and Linkerd's
 * `<sa>.<ns>.serviceaccount.identity.linkerd.<trust-domain>` ("Authorization Policy"
 * reference, MeshTLSAuthentication.identities). The parsers are strict: namespaces and service
 * accounts are DNS-1123 labels, trust domains DNS names, so a parsed identity can be written
 * into a policy as it is.
 */

import type { SnapshotWorkload } from '../../model';

/**
 * A ServiceAccount named by a mesh identity.
 *
 * @public
 */
export interface ParsedMeshIdentity {
  /** The trust domain (Istio) or identity trust domain (Linkerd). */
  trustDomain: string;
  /** Namespace of the ServiceAccount. */
  namespace: string;
  /** Name of the ServiceAccount. */
  serviceAccount: string;
}

const LABEL = '[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?';
const DOMAIN = '[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?';
const ISTIO_PRINCIPAL = new RegExp(
  `^(?:spiffe://)?(${DOMAIN})/ns/(${LABEL})/sa/(${LABEL})$`,
);
const LINKERD_IDENTITY = new RegExp(
  `^(${LABEL})\\.(${LABEL})\\.serviceaccount\\.identity\\.linkerd\\.(${DOMAIN})$`,
);

/**
 * The Istio principal of a ServiceAccount (no `spiffe://` prefix).
 *
 * @public
 */
export const istioPrincipal = (
  trustDomain: string,
  namespace: string,
  serviceAccount: string,
) => `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;

/**
 * The Linkerd identity of a ServiceAccount.
 *
 * @public
 */
export const linkerdIdentity = (
  trustDomain: string,
  namespace: string,
  serviceAccount: string,
) =>
  `${serviceAccount}.${namespace}.serviceaccount.identity.linkerd.${trustDomain}`;

/**
 * Parses an Istio principal, also written as a SPIFFE ID (`spiffe://…`); undefined when the text
 * is not one (wildcards included).
 *
 * @public
 */
export function parseIstioPrincipal(
  text: string,
): ParsedMeshIdentity | undefined {
  const match = ISTIO_PRINCIPAL.exec(text);
  return match
    ? { trustDomain: match[1], namespace: match[2], serviceAccount: match[3] }
    : undefined;
}

/**
 * Parses a Linkerd identity; undefined when the text is not one (wildcards included).
 *
 * @public
 */
export function parseLinkerdIdentity(
  text: string,
): ParsedMeshIdentity | undefined {
  const match = LINKERD_IDENTITY.exec(text);
  return match
    ? { trustDomain: match[3], namespace: match[2], serviceAccount: match[1] }
    : undefined;
}

/**
 * Parses an Istio principal or a Linkerd identity.
 *
 * @public
 */
export const parseMeshIdentity = (text: string) =>
  parseIstioPrincipal(text) ?? parseLinkerdIdentity(text);

/**
 * A workload's ServiceAccount as `namespace/name` (MS403 counts workloads by it), made once per
 * workload object: an unchanged workload keeps its object from one snapshot to the next, and
 * each snapshot of a changing cluster counted every workload with two new strings.
 */
const serviceAccountKeys = new WeakMap<SnapshotWorkload, string>();
export function serviceAccountKey(w: SnapshotWorkload): string {
  let key = serviceAccountKeys.get(w);
  if (key === undefined)
    serviceAccountKeys.set(
      w,
      (key = [w.namespace, w.serviceAccount].join('/')),
    );
  return key;
}
