import { FindingDefinition } from '../../model';
/**
 * MS4xx: identity, certificates, credentials, and objects the engine cannot read.
 */
export const IDENTITY_FINDINGS = {
  malformed: {
    code: 'MS401',
    severity: 'high',
    title: 'Malformed object',
    description:
      "The object violates its CRD or API schema (including the CRD validation rules that the API server enforces with CEL), or what the mesh's admission webhook checks (istiod's validation, Linkerd's policy controller). The API server or the webhook would reject it, or a mesh would ignore it; the engine ignores it too.",
    fix: 'Correct the fields named in the message so that the object validates (`kubectl apply --dry-run=server` runs the schema and the admission webhooks; `istioctl validate -f` checks Istio objects offline).',
  },
  defaultServiceAccount: {
    code: 'MS402',
    severity: 'medium',
    title: 'Workload runs as the default ServiceAccount',
    description:
      'Mesh identities are derived from the ServiceAccount. Workloads sharing `default` share an identity, so no policy can tell them apart.',
    fix: 'Create a dedicated ServiceAccount for the workload and set `spec.serviceAccountName` in its pod template.',
  },
  sharedServiceAccount: {
    code: 'MS403',
    severity: 'low',
    title: 'ServiceAccount shared by several workloads',
    description:
      'Several workloads in the namespace run as the same ServiceAccount and therefore present the same mesh identity; authorization cannot distinguish them.',
    fix: 'Give each workload its own ServiceAccount.',
  },
  unmanagedSecret: {
    code: 'MS404',
    severity: 'medium',
    title: 'Secret not sourced from an external secret store',
    description:
      'The pod template mounts or reads a Secret that is not the target of an ExternalSecret (and no CSI secrets-store volume is used): the credential lives only in the cluster.',
    fix: 'Manage the Secret with an ExternalSecret (external-secrets.io) or mount it through the Secrets Store CSI driver.',
  },
  foreignTrustDomain: {
    code: 'MS405',
    severity: 'high',
    title: 'Identity in a foreign trust domain',
    description:
      'A policy names an identity (Istio principal or Linkerd identity) whose trust domain is not the mesh trust domain, so no workload of this mesh can present it.',
    fix: 'Use the mesh trust domain (Istio `meshConfig.trustDomain`, Linkerd `identityTrustDomain`), or configure trust-domain aliases if the federation is intended.',
  },
  badIdentityFormat: {
    code: 'MS406',
    severity: 'high',
    title: 'Identity in the wrong format',
    description:
      'Istio principals are `<trust-domain>/ns/<namespace>/sa/<service-account>` (no `spiffe://` prefix); Linkerd identities are `<sa>.<ns>.serviceaccount.identity.linkerd.<trust-domain>`. A malformed identity never matches.',
    fix: 'Rewrite the identity in the documented format, or use `namespaces`/`serviceAccounts` (Istio) or `identityRefs` (Linkerd).',
  },
  notEvaluated: {
    code: 'MS408',
    severity: 'medium',
    title: 'Object not evaluated',
    description:
      'The object (or label, or mesh setting) can change mTLS, authorization, network segmentation or the set of peers, but the engine does not model it (or, for an Istio Sidecar or an AdminNetworkPolicy, the part it cannot decide without guessing, e.g. two Sidecars selecting one workload, or two AdminNetworkPolicies of one priority). The verdicts it may change are UNKNOWN or cannot be evaluated (access leans to DENY) and carry "not evaluated: <object>", rather than an answer that ignores it.',
    fix: 'Check the affected workloads against the object by hand (docs/engine.md "Not evaluated", "Istio Sidecar" and "AdminNetworkPolicy" say what each may change), or remove the object if it is not needed.',
  },
  definedTwice: {
    code: 'MS409',
    severity: 'medium',
    title: 'Object defined more than once',
    description:
      'The input defines the same object (API group, kind, namespace and name) more than once. A cluster holds one of them: `kubectl apply` applies them in order, so the last definition replaces the others, and kustomize and Helm refuse the duplicate. The engine evaluates the last definition, as `kubectl apply` leaves it, and ignores the earlier ones.',
    fix: 'Keep one definition of the object (merge the rules you meant into it) and delete the others.',
  },
  missingNamespace: {
    code: 'MS407',
    severity: 'info',
    title: 'Namespace not in the input',
    description:
      'A workload lives in a namespace whose Namespace object was not read, so namespace labels (sidecar injection, ambient enrollment, NetworkPolicy namespaceSelectors) are unknown.',
    fix: 'Include the Namespace manifest in the evaluated input.',
  },
} satisfies Record<string, FindingDefinition>;
