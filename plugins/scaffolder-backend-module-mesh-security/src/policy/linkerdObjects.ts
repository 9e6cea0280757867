import {
  linkerdIdentity,
  linkerdRefKind,
  readObjects,
} from '@mesh-security/plugin-mesh-security-common';
import { Document } from 'yaml';
import { docsOfKind, matchLabelsSelect, objectId, plain } from './document';

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
  /** The target's API group: `policy.linkerd.io` (absent), or the Gateway API's for its routes. */
  group?: string;
}

/** The Gateway API's group: its HTTPRoutes attach to Linkerd Servers too. */
const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/**
 * Whether a reference names `group`/`kind` as Linkerd's policy controller compares them
 * (`targets_kind`): without case, and no group (or an empty one) is the core API group. A
 * `targetRef: {kind: Server}` without `group: policy.linkerd.io` names no Server: Linkerd's
 * admission refuses such a policy.
 */
export function refNames(
  ref: { group?: unknown; kind?: unknown } | undefined,
  group: string,
  kind: string,
): boolean {
  const named = linkerdRefKind(ref ?? {});
  return named.group === group && named.kind === kind.toLowerCase();
}

/** The target an AuthorizationPolicy names for this HTTPRoute (Linkerd's or the Gateway API's). */
export function routeTarget(route: Document): PolicyTarget {
  const { apiVersion, name } = objectId(route);
  return { kind: 'HTTPRoute', name, group: apiVersion.split('/')[0] };
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
        | { group?: string; kind?: string; name?: string }
        | undefined;
      return (
        refNames(ref, target.group ?? GROUP, target.kind) &&
        ref?.name === target.name
      );
    },
  );
}

/**
 * Whether Linkerd's policy controller binds the route at all, as the engine reads it: a route it
 * ignores (e.g. a Gateway API route with a filter inbound routes lack, MS401) is no route of any
 * Server.
 */
const boundByLinkerd = (route: Document) =>
  readObjects([route.toJS()]).snapshot.linkerd.httpRoutes.length === 1;

/**
 * HTTPRoutes of the file attached to the Server (Linkerd's and the Gateway API's) that Linkerd
 * binds. A parentRef without a group takes its CRD's default: `policy.linkerd.io` in Linkerd's
 * HTTPRoute, the Gateway API's own group in the Gateway API's, where it names no Server.
 */
export function routesOf(
  docs: Document[],
  namespace: string,
  server: string,
): Document[] {
  return [GROUP, GATEWAY_GROUP].flatMap(g =>
    docsOfKind(docs, g, 'HTTPRoute', namespace).filter(doc => {
      const parents = plain(doc, ['spec', 'parentRefs']);
      return (
        Array.isArray(parents) &&
        parents.some(
          (p: { group?: string; kind?: string; name?: string }) =>
            refNames(
              p?.group === undefined ? { ...p, group: g } : p,
              GROUP,
              'Server',
            ) && p.name === server,
        ) &&
        boundByLinkerd(doc)
      );
    }),
  );
}
