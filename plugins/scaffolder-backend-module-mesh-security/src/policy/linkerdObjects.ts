import { linkerdIdentity } from '@mesh-security/plugin-mesh-security-common';
import { Document } from 'yaml';
import { docsOfKind, matchLabelsSelect, plain } from './document';

/*
 * Linkerd policy objects ("Authorization Policy" reference): a Server selects a pod port; an
 * HTTPRoute attached to it (parentRefs) describes a subset of its HTTP requests; an
 * AuthorizationPolicy targets a Server or an HTTPRoute.
 */

/** API group of Linkerd's policy resources. */
export const GROUP = 'policy.linkerd.io';

/** A caller's ServiceAccount. */
export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

/** What a policy targets (`Server` or `HTTPRoute`) and its name. */
export interface PolicyTarget {
  kind: 'Server' | 'HTTPRoute';
  name: string;
}

/** The Linkerd identity of a ServiceAccount. */
export const identityOf = (sa: ServiceAccountRef, trustDomain: string) =>
  linkerdIdentity(trustDomain, sa.namespace, sa.name);

/** Servers in the file selecting the target's port (by number or container port name). */
export function serversFor(
  docs: Document[],
  target: { namespace: string; targetLabels: Record<string, string> },
  port: { port: number; name?: string },
): Document[] {
  return docsOfKind(docs, GROUP, 'Server', target.namespace).filter(doc => {
    const p = plain(doc, ['spec', 'port']);
    return (
      matchLabelsSelect(
        plain(doc, ['spec', 'podSelector', 'matchLabels']),
        target.targetLabels,
      ) &&
      (p === port.port || (port.name !== undefined && p === port.name))
    );
  });
}

/** AuthorizationPolicies of the namespace targeting the object. */
export function policiesTargeting(
  docs: Document[],
  namespace: string,
  target: PolicyTarget,
): Document[] {
  return docsOfKind(docs, GROUP, 'AuthorizationPolicy', namespace).filter(
    policy => {
      const ref = plain(policy, ['spec', 'targetRef']) as
        | { kind?: string; name?: string }
        | undefined;
      return ref?.kind === target.kind && ref.name === target.name;
    },
  );
}

/** HTTPRoutes can be Linkerd's or the Gateway API's; both attach to Servers. */
const HTTP_ROUTE_GROUPS = [GROUP, 'gateway.networking.k8s.io'];

/** HTTPRoutes of the file attached to the Server (Linkerd's and the Gateway API's). */
export function routesOf(
  docs: Document[],
  namespace: string,
  server: string,
): Document[] {
  return HTTP_ROUTE_GROUPS.flatMap(g =>
    docsOfKind(docs, g, 'HTTPRoute', namespace),
  ).filter(doc => {
    const parents = plain(doc, ['spec', 'parentRefs']);
    return (
      Array.isArray(parents) &&
      parents.some(
        (p: { kind?: string; name?: string }) =>
          p?.kind === 'Server' && p.name === server,
      )
    );
  });
}
