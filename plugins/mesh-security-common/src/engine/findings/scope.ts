import { Finding, Mesh, ObjectRef, WORKLOAD_KINDS } from '../../model';
import { CERTIFICATE_FINDINGS } from './certificates';
import { CNI_FINDINGS } from './cni';

/**
 * Who can act on a finding, as the views group it: the component's owners (`workload`: about
 * one of its workloads or a policy applying to them), whoever runs a namespace (`namespace`:
 * about the namespace itself or an object of it that applies to no workload) or the platform
 * team (`cluster`: the network plugin, the meshes' trust roots).
 *
 * @public
 */
export type FindingScope = 'workload' | 'namespace' | 'cluster';

/**
 * The scopes, in the order the views list them.
 *
 * @public
 */
export const FINDING_SCOPES: readonly FindingScope[] = [
  'workload',
  'namespace',
  'cluster',
];

const CLUSTER_WIDE = new Set<string>(
  [...Object.values(CNI_FINDINGS), ...Object.values(CERTIFICATE_FINDINGS)].map(
    d => d.code,
  ),
);
const CERTIFICATE_CODES = new Set<string>(
  Object.values(CERTIFICATE_FINDINGS).map(d => d.code),
);
const WORKLOAD_KIND_SET = new Set<string>(WORKLOAD_KINDS);

/**
 * The meshes whose trust roots live in a namespace (`MESH_TRUST_ROOTS` and the cert-manager
 * Certificates `meshCertificates` reads there).
 */
const TRUST_ROOT_NAMESPACES: Record<string, readonly Mesh[]> = {
  'istio-system': ['istio-sidecar', 'istio-ambient'],
  linkerd: ['linkerd'],
};

/**
 * The scope of a finding. `applied` names the policies that apply to the component's
 * workloads: a finding about one of them is the component's own (`workload`).
 *
 * @public
 */
export function findingScope(
  finding: Finding,
  applied: ReadonlyArray<Pick<ObjectRef, 'kind' | 'namespace' | 'name'>> = [],
): FindingScope {
  if (CLUSTER_WIDE.has(finding.code)) return 'cluster';
  const { kind, namespace, name } = finding.object;
  if (WORKLOAD_KIND_SET.has(kind)) return 'workload';
  if (
    applied.some(
      p => p.kind === kind && p.namespace === namespace && p.name === name,
    )
  )
    return 'workload';
  return 'namespace';
}

/**
 * Whether a cluster-wide finding concerns a component running workloads of these meshes: a
 * trust root only those of its mesh (a Linkerd trust anchor is nothing an Istio-only or
 * unmeshed component can act on or suffers from), the network plugin every component.
 * Findings of other scopes concern whoever they reach.
 *
 * @public
 */
export function concernsMeshes(
  finding: Finding,
  meshes: readonly Mesh[],
): boolean {
  if (!CERTIFICATE_CODES.has(finding.code)) return true;
  const concerned = TRUST_ROOT_NAMESPACES[finding.object.namespace ?? ''];
  // A trust root of no known mesh: kept, rather than dropped unseen.
  return !concerned || concerned.some(m => meshes.includes(m));
}

/**
 * The namespace a finding of `namespace` or `workload` scope belongs to: the namespace itself
 * for a finding about a Namespace object.
 *
 * @public
 */
export function findingNamespace(finding: Finding): string {
  return finding.object.kind === 'Namespace'
    ? finding.object.name
    : finding.object.namespace ?? '';
}
