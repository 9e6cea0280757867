import { Document, isMap, isPair } from 'yaml';
import { docsOfKind, freeName, newObjectDocument, plain } from './document';

/*
 * PeerAuthentication (Istio "PeerAuthentication" reference): a policy with a selector applies to
 * the selected workloads, one without to the namespace; `portLevelMtls` overrides per port. STRICT
 * means the sidecar accepts only mTLS. Enforcing sets the mode and every port-level mode.
 */

/** What to make STRICT: a namespace, or the workloads matching `selectorLabels`. */
export interface MtlsEnforceChange {
  namespace: string;
  selectorLabels?: Record<string, string>;
  name: string;
  comment?: string;
}

const sameLabels = (a: unknown, b: Record<string, string> | undefined) =>
  JSON.stringify(Object.entries((a as Record<string, string>) ?? {}).sort()) ===
  JSON.stringify(Object.entries(b ?? {}).sort());

/** Sets STRICT; returns whether anything changed. */
export function enforceStrictMtls(
  docs: Document[],
  change: MtlsEnforceChange,
): boolean {
  const existing = docsOfKind(
    docs,
    'security.istio.io',
    'PeerAuthentication',
    change.namespace,
  ).find(d =>
    change.selectorLabels
      ? sameLabels(
          plain(d, ['spec', 'selector', 'matchLabels']),
          change.selectorLabels,
        )
      : plain(d, ['spec', 'selector']) === undefined,
  );
  if (!existing) {
    const spec = change.selectorLabels
      ? {
          selector: { matchLabels: change.selectorLabels },
          mtls: { mode: 'STRICT' },
        }
      : { mtls: { mode: 'STRICT' } };
    const name = change.selectorLabels
      ? freeName(docs, 'PeerAuthentication', change.name)
      : 'default';
    docs.push(
      newObjectDocument(
        {
          apiVersion: 'security.istio.io/v1',
          kind: 'PeerAuthentication',
          metadata: { name, namespace: change.namespace },
          spec,
        },
        change.comment,
      ),
    );
    return true;
  }
  let changed = false;
  if (plain(existing, ['spec', 'mtls', 'mode']) !== 'STRICT') {
    existing.setIn(['spec', 'mtls', 'mode'], 'STRICT');
    changed = true;
  }
  const ports = existing.getIn(['spec', 'portLevelMtls'], true);
  if (isMap(ports)) {
    for (const pair of ports.items.filter(isPair)) {
      if (isMap(pair.value) && pair.value.get('mode') !== 'STRICT') {
        pair.value.set('mode', 'STRICT');
        changed = true;
      }
    }
  }
  return changed;
}
