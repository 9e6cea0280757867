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
};
