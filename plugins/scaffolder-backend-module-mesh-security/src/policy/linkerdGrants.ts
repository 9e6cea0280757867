import { Document, isMap, YAMLMap } from 'yaml';
import {
  docsOfKind,
  freeName,
  newObjectDocument,
  objectId,
  plain,
  seqAt,
  seqStrings,
} from './document';
import {
  GROUP,
  identityOf,
  policiesTargeting,
  PolicyTarget,
  refNames,
  ServiceAccountRef,
} from './linkerdObjects';

/*
 * Linkerd grants: an AuthorizationPolicy whose only required authentication is one
 * MeshTLSAuthentication ("Authorization Policy" reference: a client must satisfy all
 * requiredAuthenticationRefs). Granting or revoking a caller edits that MeshTLSAuthentication.
 */

/** A grant: an AuthorizationPolicy and the one MeshTLSAuthentication it requires. */
export interface Grant {
  policy: Document;
  mta: Document;
}

type Ref = {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
};

const requiredRefs = (policy: Document) =>
  (plain(policy, ['spec', 'requiredAuthenticationRefs']) as Ref[]) ?? [];

/** The grants (policy + sole MeshTLSAuthentication) targeting the object. */
export function grantsOf(
  docs: Document[],
  namespace: string,
  target: PolicyTarget,
): Grant[] {
  const out: Grant[] = [];
  for (const policy of policiesTargeting(docs, namespace, target)) {
    const required = requiredRefs(policy);
    if (
      required.length !== 1 ||
      !refNames(required[0], GROUP, 'MeshTLSAuthentication')
    )
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

/** Identities a MeshTLSAuthentication names (identityRefs to ServiceAccounts and identities). */
export function mtaIdentities(
  mta: Document,
  namespace: string,
  trustDomain: string,
): Set<string> {
  const refs = (plain(mta, ['spec', 'identityRefs']) as Ref[]) ?? [];
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

/**
 * Adds the callers a MeshTLSAuthentication does not name yet, in the style it uses
 * (`identityRefs` or `identities`). Returns the callers added.
 */
export function addToMta(
  mta: Document,
  callers: ServiceAccountRef[],
  namespace: string,
  trustDomain: string,
): ServiceAccountRef[] {
  const names = mtaIdentities(mta, namespace, trustDomain);
  const missing = callers.filter(c => !names.has(identityOf(c, trustDomain)));
  if (missing.length === 0) return [];
  let refs = seqAt(mta, ['spec', 'identityRefs']);
  const ids = seqAt(mta, ['spec', 'identities']);
  if (!refs && ids) {
    for (const c of missing)
      ids.add(mta.createNode(identityOf(c, trustDomain)));
    return missing;
  }
  if (!refs) {
    mta.setIn(['spec', 'identityRefs'], mta.createNode([]));
    refs = seqAt(mta, ['spec', 'identityRefs'])!;
  }
  for (const c of missing) refs.add(identityRef(mta, c, namespace));
  return missing;
}

/**
 * A new grant for the callers on the target: a MeshTLSAuthentication listing them and an
 * AuthorizationPolicy requiring it, both appended to the file.
 */
export function addGrant(
  docs: Document[],
  change: {
    namespace: string;
    target: PolicyTarget;
    callers: ServiceAccountRef[];
    comment?: string;
  },
): Grant {
  const base = `${change.target.name}-callers`;
  const name = freeName(docs, 'MeshTLSAuthentication', base);
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
      name: freeName(docs, 'AuthorizationPolicy', base),
      namespace: change.namespace,
    },
    spec: {
      targetRef: {
        group: change.target.group ?? GROUP,
        kind: change.target.kind,
        name: change.target.name,
      },
      requiredAuthenticationRefs: [
        { group: GROUP, kind: 'MeshTLSAuthentication', name },
      ],
    },
  });
  docs.push(mta, policy);
  return { policy, mta };
}

/**
 * Grants the callers access to the target: adds them to the target's first grant in the file,
 * or appends a new grant. Returns whether the file changed.
 */
export function grantAccess(
  docs: Document[],
  change: {
    namespace: string;
    target: PolicyTarget;
    callers: ServiceAccountRef[];
    comment?: string;
  },
  trustDomain: string,
): boolean {
  const existing = grantsOf(docs, change.namespace, change.target)[0];
  if (existing) {
    return (
      addToMta(existing.mta, change.callers, change.namespace, trustDomain)
        .length > 0
    );
  }
  addGrant(docs, change);
  return true;
}

/** AuthorizationPolicies of the file requiring the MeshTLSAuthentication. */
function usersOf(docs: Document[], mta: Document): Document[] {
  const id = objectId(mta);
  return docsOfKind(
    docs,
    GROUP,
    'AuthorizationPolicy',
    id.namespace ?? '',
  ).filter(p =>
    requiredRefs(p).some(
      r =>
        r.kind === 'MeshTLSAuthentication' &&
        r.name === id.name &&
        (r.namespace ?? objectId(p).namespace) === id.namespace,
    ),
  );
}

/** Removes the identities from the MeshTLSAuthentication; returns how many it removed. */
function removeFromMta(
  mta: Document,
  callerIds: Set<string>,
  namespace: string,
  trustDomain: string,
): number {
  let removed = 0;
  const refs = seqAt(mta, ['spec', 'identityRefs']);
  for (const item of [...(refs?.items ?? [])].filter(isMap)) {
    const r = item.toJSON() as Ref;
    const id =
      r.kind === 'ServiceAccount' && r.name
        ? identityOf(
            { name: r.name, namespace: r.namespace ?? namespace },
            trustDomain,
          )
        : undefined;
    if (id && callerIds.has(id)) {
      refs!.items.splice(refs!.items.indexOf(item), 1);
      removed++;
    }
  }
  const ids = seqAt(mta, ['spec', 'identities']);
  for (const item of [...(ids?.items ?? [])]) {
    if (callerIds.has(seqStrings({ items: [item] } as never)[0])) {
      ids!.items.splice(ids!.items.indexOf(item), 1);
      removed++;
    }
  }
  return removed;
}

/**
 * Takes the callers out of one grant, and out of that grant only. A MeshTLSAuthentication that
 * other AuthorizationPolicies also require is not edited (that would narrow their grants too):
 * the grant gets its own copy without the callers. A grant left without identities is deleted
 * (an empty MeshTLSAuthentication is invalid, and the target falls back to its other
 * authorizations, else its Server's `accessPolicy`). Returns the identities it removed.
 */
export function revokeFromGrant(
  docs: Document[],
  grant: Grant,
  callerIds: Set<string>,
  trustDomain: string,
): string[] {
  const ns =
    objectId(grant.mta).namespace ?? objectId(grant.policy).namespace ?? '';
  const named = mtaIdentities(grant.mta, ns, trustDomain);
  const hit = [...callerIds].filter(id => named.has(id));
  if (hit.length === 0) return [];
  const shared = usersOf(docs, grant.mta).some(p => p !== grant.policy);
  const remaining = [...named].filter(id => !callerIds.has(id));
  if (remaining.length === 0) {
    docs.splice(docs.indexOf(grant.policy), 1);
    if (!shared) docs.splice(docs.indexOf(grant.mta), 1);
    return hit;
  }
  if (!shared) {
    removeFromMta(grant.mta, callerIds, ns, trustDomain);
    return hit;
  }
  const copy = grant.mta.clone();
  const name = freeName(
    docs,
    'MeshTLSAuthentication',
    objectId(grant.policy).name,
  );
  copy.setIn(['metadata', 'name'], name);
  copy.commentBefore = null;
  (copy.contents as YAMLMap).commentBefore = ` Copy of ${
    objectId(grant.mta).name
  } for ${
    objectId(grant.policy).name
  } (the original is shared with other policies).`;
  removeFromMta(copy, callerIds, ns, trustDomain);
  docs.splice(docs.indexOf(grant.mta) + 1, 0, copy);
  const refs = seqAt(grant.policy, ['spec', 'requiredAuthenticationRefs'])!;
  (refs.items[0] as YAMLMap).set('name', name);
  return hit;
}
