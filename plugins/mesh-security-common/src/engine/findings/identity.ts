import { define } from './make';

/**
 * MS4xx: identity, certificates, credentials, and objects the engine cannot read.
 */
export const IDENTITY_FINDINGS = {
  malformed: define(
    'MS401',
    'high',
    'Malformed object',
    'The object violates its CRD or API schema (including the CRD validation rules that the API server enforces with CEL). The API server would reject it, or a mesh would ignore it; the engine ignores it too.',
    'Correct the fields named in the message so that the object validates against the CRD schema (`kubectl apply --dry-run=server`).',
  ),
  defaultServiceAccount: define(
    'MS402',
    'medium',
    'Workload runs as the default ServiceAccount',
    'Mesh identities are derived from the ServiceAccount. Workloads sharing `default` share an identity, so no policy can tell them apart.',
    'Create a dedicated ServiceAccount for the workload and set `spec.serviceAccountName` in its pod template.',
  ),
  sharedServiceAccount: define(
    'MS403',
    'low',
    'ServiceAccount shared by several workloads',
    'Several workloads in the namespace run as the same ServiceAccount and therefore present the same mesh identity; authorization cannot distinguish them.',
    'Give each workload its own ServiceAccount.',
  ),
  unmanagedSecret: define(
    'MS404',
    'medium',
    'Secret not sourced from an external secret store',
    'The pod template mounts or reads a Secret that is not the target of an ExternalSecret (and no CSI secrets-store volume is used): the credential lives only in the cluster.',
    'Manage the Secret with an ExternalSecret (external-secrets.io) or mount it through the Secrets Store CSI driver.',
  ),
  foreignTrustDomain: define(
    'MS405',
    'high',
    'Identity in a foreign trust domain',
    'A policy names an identity (Istio principal or Linkerd identity) whose trust domain is not the mesh trust domain, so no workload of this mesh can present it.',
    'Use the mesh trust domain (Istio `meshConfig.trustDomain`, Linkerd `identityTrustDomain`), or configure trust-domain aliases if the federation is intended.',
  ),
  badIdentityFormat: define(
    'MS406',
    'high',
    'Identity in the wrong format',
    'Istio principals are `<trust-domain>/ns/<namespace>/sa/<service-account>` (no `spiffe://` prefix); Linkerd identities are `<sa>.<ns>.serviceaccount.identity.linkerd.<trust-domain>`. A malformed identity never matches.',
    'Rewrite the identity in the documented format, or use `namespaces`/`serviceAccounts` (Istio) or `identityRefs` (Linkerd).',
  ),
  missingNamespace: define(
    'MS407',
    'info',
    'Namespace not in the input',
    'A workload lives in a namespace whose Namespace object was not read, so namespace labels (sidecar injection, ambient enrollment, NetworkPolicy namespaceSelectors) are unknown.',
    'Include the Namespace manifest in the evaluated input.',
  ),
  // MS42x are raised by the backend from the meshes' public trust roots (ConfigMaps
  // istio-ca-root-cert and linkerd-identity-trust-roots) and cert-manager Certificate status.
  certificateExpiring: define(
    'MS420',
    'medium',
    'Mesh trust root expires soon',
    'The Istio root certificate, a Linkerd trust anchor or a cert-manager-issued mesh CA expires within the configured window (default 30 days; severity high under 7 days). When it expires, workloads can no longer establish mTLS once their certificates rotate.',
    'Rotate ahead of expiry: add the new root to the trust bundle, switch the issuer, then remove the old root.',
  ),
  certificateExpired: define(
    'MS421',
    'critical',
    'Mesh trust root expired',
    'A mesh trust root or CA certificate is past its notAfter date: new workload certificates chain to an expired root and mTLS handshakes fail.',
    'Rotate the trust root now (Istio: plug in new cacerts; Linkerd: upgrade with a new trust anchor bundle), keeping the old root in the bundle during the rollover.',
  ),
  certificateUnreadable: define(
    'MS422',
    'low',
    'Mesh trust root cannot be read',
    'The trust-root ConfigMap holds no parsable PEM certificate, or cert-manager has not reported notAfter, so its expiry is unknown.',
    'Check that the ConfigMap holds a PEM bundle under its usual key, or that the Certificate is Ready.',
  ),
};
