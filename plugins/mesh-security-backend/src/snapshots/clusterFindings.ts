import {
  ClusterStatus,
  Finding,
  findingDefinition,
  MeshCertificate,
} from '@mesh-security/plugin-mesh-security-common';

const fixOf = (code: string) => findingDefinition(code)?.fix ?? '';

/*
 * Findings about a cluster as a whole, from data only the backend reads: the meshes' trust
 * roots and the node agents that enforce NetworkPolicy. Their codes are documented with the
 * engine's in docs/findings.md.
 */

const ROLE_NAMES: Record<MeshCertificate['role'], string> = {
  'istio-root': 'Istio root certificate',
  'linkerd-trust-anchor': 'Linkerd trust anchor',
  'cert-manager': 'mesh CA certificate (cert-manager)',
};

export function certificateFindings(
  cluster: string,
  certificates: MeshCertificate[],
): Finding[] {
  return certificates.flatMap((cert): Finding[] => {
    const object = { ...cert.object, cluster };
    const what = ROLE_NAMES[cert.role];
    switch (cert.state) {
      case 'expired':
        return [
          {
            code: 'MS421',
            severity: 'critical',
            message: `${what} ${cert.subject ?? ''} in ${object.kind} ${
              object.namespace
            }/${object.name} expired on ${
              cert.notAfter
            }: workloads can no longer establish mTLS once their certificates rotate.`,
            fix: fixOf('MS421'),
            object,
          },
        ];
      case 'expiring':
        return [
          {
            code: 'MS420',
            severity: (cert.daysLeft ?? 0) < 7 ? 'high' : 'medium',
            message: `${what} ${cert.subject ?? ''} in ${object.kind} ${
              object.namespace
            }/${object.name} expires in ${cert.daysLeft} days (${
              cert.notAfter
            }).`,
            fix: fixOf('MS420'),
            object,
          },
        ];
      case 'unknown':
        return [
          {
            code: 'MS422',
            severity: 'low',
            message: `${what} in ${object.kind} ${object.namespace}/${object.name} cannot be read: ${cert.message}.`,
            fix: fixOf('MS422'),
            object,
          },
        ];
      default:
        return [];
    }
  });
}

export function enforcementFindings(
  cluster: string,
  enforcement: ClusterStatus['networkPolicyEnforcement'],
  networkPolicies: Array<{ namespace: string; name: string }>,
): Finding[] {
  if (enforcement.state !== 'notEnforced' || networkPolicies.length === 0)
    return [];
  const first = networkPolicies[0];
  return [
    {
      code: 'MS330',
      severity: 'high',
      message: `${networkPolicies.length} NetworkPolicies exist in cluster ${cluster}, but ${enforcement.reason}: none of them is enforced.`,
      fix: fixOf('MS330'),
      object: {
        kind: 'NetworkPolicy',
        namespace: first.namespace,
        name: first.name,
        cluster,
      },
    },
  ];
}
