import { InputError } from '@backstage/errors';
import { Document, isMap, YAMLMap } from 'yaml';
import {
  docsOfKind,
  freeName,
  matchLabelsSelect,
  newObjectDocument,
  objectId,
  plain,
  seqAt,
  seqStrings,
} from './document';

/*
 * Linkerd policy edits ("Authorization Policy" in Linkerd's reference): a Server selects a pod
 * port; an AuthorizationPolicy targeting the Server admits clients satisfying all of its
 * requiredAuthenticationRefs; a MeshTLSAuthentication lists client identities. Granting access
 * adds the caller's ServiceAccount to the MeshTLSAuthentication of the port's policy, creating
 * Server, MeshTLSAuthentication and AuthorizationPolicy when the port has none.
 */

const GROUP = 'policy.linkerd.io';

/** A caller's ServiceAccount. */
export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

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

function serversFor(
  docs: Document[],
  change: LinkerdAccessChange,
  port: { port: number; name?: string },
): Document[] {
  return docsOfKind(docs, GROUP, 'Server', change.namespace).filter(doc => {
    const p = plain(doc, ['spec', 'port']);
    return (
      matchLabelsSelect(
        plain(doc, ['spec', 'podSelector', 'matchLabels']),
        change.targetLabels,
      ) &&
      (p === port.port || (port.name !== undefined && p === port.name))
    );
  });
}

/** MeshTLSAuthentications required by the AuthorizationPolicies targeting a Server. */
function authenticationsFor(
  docs: Document[],
  namespace: string,
  server: string,
): Array<{ policy: Document; mta: Document }> {
  const out: Array<{ policy: Document; mta: Document }> = [];
  for (const policy of docsOfKind(
    docs,
    GROUP,
    'AuthorizationPolicy',
    namespace,
  )) {
    const ref = plain(policy, ['spec', 'targetRef']) as
      | { kind?: string; name?: string }
      | undefined;
    if (ref?.kind !== 'Server' || ref.name !== server) continue;
    const required =
      (plain(policy, ['spec', 'requiredAuthenticationRefs']) as Array<{
        kind?: string;
        name?: string;
        namespace?: string;
      }>) ?? [];
    if (required.length !== 1 || required[0].kind !== 'MeshTLSAuthentication')
      continue;
    const mta = docsOfKind(
      docs,
      GROUP,
      'MeshTLSAuthentication',
      required[0].namespace ?? namespace,
    ).find(d => objectId(d).name === required[0].name);
    if (mta) out.push({ policy, mta });
  }
  return out;
}

const identityOf = (sa: ServiceAccountRef, trustDomain: string) =>
  `${sa.name}.${sa.namespace}.serviceaccount.identity.linkerd.${trustDomain}`;

function mtaNames(
  mta: Document,
  namespace: string,
  trustDomain: string,
): Set<string> {
  const refs =
    (plain(mta, ['spec', 'identityRefs']) as Array<{
      kind?: string;
      name?: string;
      namespace?: string;
    }>) ?? [];
  const ids = refs
    .filter(r => r.kind === 'ServiceAccount' && r.name)
    .map(r =>
      identityOf(
        { name: r.name!, namespace: r.namespace ?? namespace },
        trustDomain,
      ),
    );
  return new Set([...ids, ...seqStrings(seqAt(mta, ['spec', 'identities']))]);
}

function identityRef(
  doc: Document,
  sa: ServiceAccountRef,
  namespace: string,
): YAMLMap {
  return doc.createNode({
    kind: 'ServiceAccount',
    name: sa.name,
    ...(sa.namespace !== namespace ? { namespace: sa.namespace } : {}),
  }) as YAMLMap;
}

/** Grants the callers every requested port. Returns whether anything changed. */
export function addLinkerdAccess(
  docs: Document[],
  change: LinkerdAccessChange,
  trustDomain = 'cluster.local',
): boolean {
  let changed = false;
  for (const port of change.ports) {
    let server = serversFor(docs, change, port)[0];
    if (!server) {
      const elsewhere = change.serversElsewhere?.find(
        s => s.port === port.port,
      );
      if (elsewhere) {
        throw new InputError(
          `Server ${change.namespace}/${elsewhere.name} for port ${port.port} is not defined in the policy file; move it there (or set the component's mesh-security.io/policy-path annotation to its file) and retry`,
        );
      }
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
    const serverName = objectId(server).name;
    const existing = authenticationsFor(docs, change.namespace, serverName)[0];
    if (existing) {
      const names = mtaNames(existing.mta, change.namespace, trustDomain);
      const missing = change.callers.filter(
        c => !names.has(identityOf(c, trustDomain)),
      );
      if (missing.length === 0) continue;
      let refs = seqAt(existing.mta, ['spec', 'identityRefs']);
      if (!refs && seqAt(existing.mta, ['spec', 'identities'])) {
        for (const c of missing)
          seqAt(existing.mta, ['spec', 'identities'])!.add(
            existing.mta.createNode(identityOf(c, trustDomain)),
          );
      } else {
        if (!refs) {
          existing.mta.setIn(
            ['spec', 'identityRefs'],
            existing.mta.createNode([]),
          );
          refs = seqAt(existing.mta, ['spec', 'identityRefs'])!;
        }
        for (const c of missing)
          refs.add(identityRef(existing.mta, c, change.namespace));
      }
      changed = true;
      continue;
    }
    const name = freeName(
      docs,
      'MeshTLSAuthentication',
      `${serverName}-callers`,
    );
    const mta = newObjectDocument(
      {
        apiVersion: `${GROUP}/v1alpha1`,
        kind: 'MeshTLSAuthentication',
        metadata: { name, namespace: change.namespace },
        spec: { identityRefs: [] },
      },
      change.comment,
    );
    for (const c of change.callers)
      seqAt(mta, ['spec', 'identityRefs'])!.add(
        identityRef(mta, c, change.namespace),
      );
    const policy = newObjectDocument({
      apiVersion: `${GROUP}/v1alpha1`,
      kind: 'AuthorizationPolicy',
      metadata: {
        name: freeName(docs, 'AuthorizationPolicy', `${serverName}-callers`),
        namespace: change.namespace,
      },
      spec: {
        targetRef: { group: GROUP, kind: 'Server', name: serverName },
        requiredAuthenticationRefs: [
          { group: GROUP, kind: 'MeshTLSAuthentication', name },
        ],
      },
    });
    docs.push(mta, policy);
    changed = true;
  }
  return changed;
}

/**
 * Removes the callers from the MeshTLSAuthentications of the target's Servers. A
 * MeshTLSAuthentication left empty is deleted with its AuthorizationPolicy (an empty one is
 * invalid), which leaves the port to its Server's default (deny when `accessPolicy: deny`).
 */
export function removeLinkerdAccess(
  docs: Document[],
  change: LinkerdAccessChange,
  trustDomain = 'cluster.local',
): boolean {
  let changed = false;
  const callerIds = new Set(
    change.callers.map(c => identityOf(c, trustDomain)),
  );
  for (const port of change.ports) {
    for (const server of serversFor(docs, change, port)) {
      for (const { policy, mta } of authenticationsFor(
        docs,
        change.namespace,
        objectId(server).name,
      )) {
        const refs = seqAt(mta, ['spec', 'identityRefs']);
        for (const item of [...(refs?.items ?? [])].filter(isMap)) {
          const r = item.toJSON() as {
            kind?: string;
            name?: string;
            namespace?: string;
          };
          if (
            r.kind === 'ServiceAccount' &&
            r.name &&
            callerIds.has(
              identityOf(
                { name: r.name, namespace: r.namespace ?? change.namespace },
                trustDomain,
              ),
            )
          ) {
            refs!.items.splice(refs!.items.indexOf(item), 1);
            changed = true;
          }
        }
        const ids = seqAt(mta, ['spec', 'identities']);
        for (const item of [...(ids?.items ?? [])]) {
          if (callerIds.has(seqStrings({ items: [item] } as never)[0])) {
            ids!.items.splice(ids!.items.indexOf(item), 1);
            changed = true;
          }
        }
        if (
          (refs?.items.length ?? 0) + (ids?.items.length ?? 0) === 0 &&
          changed
        ) {
          docs.splice(docs.indexOf(mta), 1);
          docs.splice(docs.indexOf(policy), 1);
        }
      }
    }
  }
  return changed;
}
