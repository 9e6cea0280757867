import { Document, isMap, isSeq, YAMLMap, YAMLSeq } from 'yaml';
import { parseIstioPrincipal } from '@mesh-security/plugin-mesh-security-common';
import { flowSeq, objectId, seqAt, seqStrings } from './document';
import { allowPoliciesFor, IstioAccessChange } from './istio';
import {
  describeRevocation,
  Operation,
  Revocation,
  subtract,
} from './istioOperations';

/*
 * Revoking Istio access ("Authorization Policy" reference: a request is allowed when it matches
 * any rule of an ALLOW policy; inside a rule, `from` sources and `to` operations are ORed, the
 * fields of one source or operation ANDed). Only the callers' principals and the revoked
 * requests are taken out: another caller named in the same rule keeps exactly what it had, so a
 * shared rule is split rather than narrowed for everyone.
 */

type Change = Pick<
  IstioAccessChange,
  'namespace' | 'targetLabels' | 'principals'
>;

const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);

/** `ns/sa` of principals, for messages. */
const names = (principals: string[]) =>
  principals
    .map(p => {
      const principal = parseIstioPrincipal(p);
      return principal
        ? `${principal.namespace}/${principal.serviceAccount}`
        : p;
    })
    .join(', ');

const where = (doc: Document, index: number) =>
  `AuthorizationPolicy ${objectId(doc).namespace}/${objectId(doc).name}, rule ${
    index + 1
  }`;

/** An ALLOW policy left without rules matches nothing: the workload stays deny-by-default. */
function dropEmptyRules(doc: Document, rules: YAMLSeq) {
  if (rules.items.length === 0)
    (doc.getIn(['spec'], true) as unknown as YAMLMap).delete('rules');
}

/**
 * Takes the principals out of a rule's sources. A source that named only them goes entirely: its
 * other fields (namespaces, notPrincipals, …) alone would admit callers it never admitted.
 * Returns the principals removed.
 */
function removePrincipals(rule: YAMLMap, principals: string[]): string[] {
  const removed: string[] = [];
  const from = seqAt(rule, ['from']);
  for (const entry of [...(from?.items ?? [])].filter(isMap)) {
    const seq = seqAt(entry, ['source', 'principals']);
    if (!seq) continue;
    for (const item of [...seq.items]) {
      const p = seqStrings({ items: [item] } as YAMLSeq)[0];
      if (principals.includes(p)) {
        seq.items.splice(seq.items.indexOf(item), 1);
        removed.push(p);
      }
    }
    if (seq.items.length === 0)
      from!.items.splice(from!.items.indexOf(entry), 1);
  }
  return removed;
}

/**
 * Removes the principals from every ALLOW rule selecting the target; a rule left without `from`
 * is removed (without `from` it would allow every caller). Describes each removal in `removed`.
 * Returns whether anything changed.
 */
export function removeIstioAccess(
  docs: Document[],
  change: Change,
  removed: string[] = [],
): boolean {
  let changed = false;
  for (const doc of allowPoliciesFor(docs, change)) {
    const rules = seqAt(doc, ['spec', 'rules']);
    if (!rules) continue;
    for (const [index, rule] of [...rules.items].entries()) {
      if (!isMap(rule) || !seqAt(rule, ['from'])) continue;
      const gone = removePrincipals(rule, change.principals);
      if (gone.length === 0) continue;
      changed = true;
      const emptied = seqAt(rule, ['from'])!.items.length === 0;
      if (emptied) rules.items.splice(rules.items.indexOf(rule), 1);
      removed.push(
        `${names(gone)}: every request it granted (${where(doc, index)}${
          emptied ? ', rule removed' : ''
        })`,
      );
    }
    dropEmptyRules(doc, rules);
  }
  return changed;
}

/** A `to` entry for an operation, reusing the original nodes of unchanged fields. */
function entryFor(original: unknown, op: Operation, doc: Document): YAMLMap {
  const base = isMap(original) ? original.get('operation', true) : undefined;
  const operation = isMap(base) ? (base.clone() as YAMLMap) : new YAMLMap();
  const before = (isMap(base) ? base.toJSON() : {}) as Operation;
  for (const key of Object.keys(before))
    if (!(key in op)) operation.delete(key);
  for (const [key, value] of Object.entries(op)) {
    if (JSON.stringify(before[key]) === JSON.stringify(value)) continue;
    operation.set(key, flowSeq(doc, strings(value)));
  }
  const entry = new YAMLMap();
  entry.set('operation', operation);
  return entry;
}

/**
 * The rule's `to` without the revoked requests (entries untouched by them are the same nodes),
 * or undefined when the rule grants none of them. An empty list means nothing is left.
 */
function narrowedTo(
  rule: YAMLMap,
  revocation: Revocation,
  doc: Document,
): YAMLSeq | undefined {
  const to = seqAt(rule, ['to']);
  const entries: unknown[] = to ? to.items : [undefined]; // no `to`: every request
  let touched = false;
  const out = new YAMLSeq();
  for (const item of entries) {
    const op = (
      isMap(item) && isMap(item.get('operation', true))
        ? (item.get('operation', true) as unknown as YAMLMap).toJSON()
        : {}
    ) as Operation;
    const rest = subtract(op, revocation);
    if (rest === undefined) {
      out.add(item ?? entryFor(undefined, {}, doc));
      continue;
    }
    touched = true;
    for (const r of rest) out.add(entryFor(item, r, doc));
  }
  return touched ? out : undefined;
}

/**
 * Revokes only the given requests (ports, methods, paths) of the principals. A rule whose
 * sources all name only them is narrowed in place and removed when nothing is left; a rule it
 * shares with other callers (or other source fields) is split: the other callers keep the rule
 * unchanged, and the principals get a copy narrowed to what they keep. Describes each change in
 * `removed`; returns whether anything changed.
 */
export function revokeIstioRequests(
  docs: Document[],
  change: Change & { revocation: Revocation },
  removed: string[],
): boolean {
  let changed = false;
  const what = describeRevocation(change.revocation);
  for (const doc of allowPoliciesFor(docs, change)) {
    const rules = seqAt(doc, ['spec', 'rules']);
    if (!rules) continue;
    for (const [index, rule] of [...rules.items].entries()) {
      if (!isMap(rule)) continue;
      const from = seqAt(rule, ['from']);
      if (!from) continue;
      const sources = from.items.map(e =>
        isMap(e) && isMap(e.get('source', true))
          ? strings(
              (e.get('source', true) as unknown as YAMLMap).toJSON().principals,
            )
          : [],
      );
      const hit = [
        ...new Set(sources.flat().filter(p => change.principals.includes(p))),
      ];
      if (hit.length === 0) continue;
      const exclusive = sources.every(
        s => s.length > 0 && s.every(p => change.principals.includes(p)),
      );
      const to = narrowedTo(rule, change.revocation, doc);
      if (!to) continue;
      changed = true;
      if (exclusive) {
        if (to.items.length === 0)
          rules.items.splice(rules.items.indexOf(rule), 1);
        else rule.set('to', to);
        removed.push(
          `${names(hit)}: ${what} (${where(doc, index)}${
            to.items.length === 0 ? ', rule removed: nothing else left' : ''
          })`,
        );
        continue;
      }
      // The callers' own copy, built before their principals leave the shared rule: each
      // source naming them keeps its other fields, with only their principals.
      const own = new YAMLMap();
      const ownFrom = new YAMLSeq();
      from.items.forEach((entry, i) => {
        const mine = sources[i].filter(p => hit.includes(p));
        if (!mine.length || !isMap(entry)) return;
        const copy = entry.clone() as YAMLMap;
        copy.setIn(['source', 'principals'], flowSeq(doc, mine));
        ownFrom.add(copy);
      });
      own.set('from', ownFrom);
      own.set('to', to.clone());
      const when = rule.get('when', true);
      if (isSeq(when)) own.set('when', when.clone());
      own.commentBefore = ` ${names(hit)}: split from rule ${
        index + 1
      }, without ${what}`;
      removePrincipals(rule, hit);
      if (to.items.length > 0)
        rules.items.splice(rules.items.indexOf(rule) + 1, 0, own);
      removed.push(
        `${names(hit)}: ${what} (${where(
          doc,
          index,
        )}, shared with other callers: ${
          to.items.length === 0
            ? 'their principals were taken out of it'
            : 'split, the others keep it unchanged'
        })`,
      );
    }
    dropEmptyRules(doc, rules);
  }
  return changed;
}
