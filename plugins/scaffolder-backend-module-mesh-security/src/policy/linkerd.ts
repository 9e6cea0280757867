import { InputError } from '@backstage/errors';
import { POLICY_PATH_ANNOTATION } from '@mesh-security/plugin-mesh-security-common';
import { Document } from 'yaml';
import { freeName, newObjectDocument, objectId } from './document';
import { grantAccess, grantsOf, revokeFromGrant } from './linkerdGrants';
import {
  GROUP,
  identityOf,
  routesOf,
  routeTarget,
  serversFor,
  ServiceAccountRef,
} from './linkerdObjects';

export type { ServiceAccountRef } from './linkerdObjects';

/*
 * Linkerd per-port access ("Authorization Policy" reference): granting access adds the caller's
 * ServiceAccount to the MeshTLSAuthentication of the port's Server-level grant, creating Server,
 * MeshTLSAuthentication and AuthorizationPolicy when the port has none. Per-route grants
 * (HTTPRoute) live in linkerdRoutes.ts.
 */

/** The access to grant or revoke on one Linkerd workload. */
export interface LinkerdAccessChange {
  namespace: string;
  targetLabels: Record<string, string>;
  selectorLabels: Record<string, string>;
  targetName: string;
  ports: Array<{ port: number; name?: string }>;
  callers: ServiceAccountRef[];
  /** Servers of the target defined outside this file (live cluster), by port. */
  serversElsewhere?: Array<{ name: string; port: number }>;
  comment?: string;
}

/** The Server of a port in the file; refuses to shadow a Server defined elsewhere. */
export function serverOrRefuse(
  docs: Document[],
  change: LinkerdAccessChange,
  port: { port: number; name?: string },
): Document | undefined {
  const server = serversFor(docs, change, port)[0];
  if (server) return server;
  const elsewhere = change.serversElsewhere?.find(s => s.port === port.port);
  if (elsewhere) {
    throw new InputError(
      `Server ${change.namespace}/${elsewhere.name} for port ${port.port} is not defined in the policy file; move it there (or set the component's ${POLICY_PATH_ANNOTATION} annotation to its file) and retry`,
    );
  }
  return undefined;
}

/** Grants the callers every requested port. Returns whether anything changed. */
export function addLinkerdAccess(
  docs: Document[],
  change: LinkerdAccessChange,
  trustDomain = 'cluster.local',
): boolean {
  let changed = false;
  for (const port of change.ports) {
    let server = serverOrRefuse(docs, change, port);
    if (!server) {
      server = newObjectDocument(
        {
          apiVersion: `${GROUP}/v1beta3`,
          kind: 'Server',
          metadata: {
            name: freeName(docs, 'Server', `${change.targetName}-${port.port}`),
            namespace: change.namespace,
          },
          spec: {
            podSelector: { matchLabels: change.selectorLabels },
            port: port.port,
          },
        },
        change.comment,
      );
      docs.push(server);
      changed = true;
    }
    const target = { kind: 'Server' as const, name: objectId(server).name };
    if (
      grantAccess(
        docs,
        {
          namespace: change.namespace,
          target,
          callers: change.callers,
          comment: change.comment,
        },
        trustDomain,
      )
    )
      changed = true;
  }
  return changed;
}

/**
 * Removes the callers from the grants on the ports' Servers — Server-level grants and, with
 * `routes`, the grants of the HTTPRoutes attached to those Servers (revoking a port takes every
 * request on it). Each removal is described in `removed`. Returns whether anything changed.
 */
export function removeLinkerdAccess(
  docs: Document[],
  change: LinkerdAccessChange,
  trustDomain = 'cluster.local',
  removed: string[] = [],
  routes = true,
): boolean {
  let changed = false;
  const callerIds = new Set(
    change.callers.map(c => identityOf(c, trustDomain)),
  );
  const who = (ids: string[]) =>
    change.callers
      .filter(c => ids.includes(identityOf(c, trustDomain)))
      .map(c => `${c.namespace}/${c.name}`)
      .join(', ');
  for (const port of change.ports) {
    for (const server of serversFor(docs, change, port)) {
      const serverName = objectId(server).name;
      const targets = [
        { kind: 'Server' as const, name: serverName },
        ...(routes
          ? routesOf(docs, change.namespace, serverName).map(routeTarget)
          : []),
      ];
      for (const target of targets) {
        for (const grant of grantsOf(docs, change.namespace, target)) {
          const policy = objectId(grant.policy).name;
          const ids = revokeFromGrant(docs, grant, callerIds, trustDomain);
          if (ids.length > 0) {
            changed = true;
            removed.push(
              `${who(ids)}: port ${port.port} (${
                target.kind === 'Server'
                  ? `Server ${serverName}`
                  : `HTTPRoute ${target.name} of Server ${serverName}`
              }, AuthorizationPolicy ${policy})`,
            );
          }
        }
      }
    }
  }
  return changed;
}
