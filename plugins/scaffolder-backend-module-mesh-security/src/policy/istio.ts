import { Document, isMap, YAMLMap, YAMLSeq } from 'yaml';
import {
  docsOfKind,
  flowSeq,
  quoted,
  freeName,
  matchLabelsSelect,
  newObjectDocument,
  plain,
  seqAt,
  seqStrings,
} from './document';

/*
 * Istio AuthorizationPolicy edits ("Authorization Policy" reference: a request is allowed when
 * it matches any rule of any ALLOW policy selecting the workload; `rules.from` entries and `to`
 * entries are ORed, fields inside one entry are ANDed). We only ever add principals to a `from`
 * source or add an operation to a `to` list, so an edit never widens another caller's access.
 */

const GROUP = 'security.istio.io';

/** The access to grant or revoke on one Istio workload. */
export interface IstioAccessChange {
  namespace: string;
  /** Labels of the target's pod template. */
  targetLabels: Record<string, string>;
  /** Labels a new policy selects with. */
  selectorLabels: Record<string, string>;
  /** Name of the target (for new policy names). */
  targetName: string;
  /** Principals without `spiffe://`. */
  principals: string[];
  operation?: { ports?: string[]; methods?: string[]; paths?: string[] };
  /** Comment written above a new rule or policy (validated values only). */
  comment?: string;
}

/** ALLOW policies whose selector selects the target (namespace-wide policies are left alone). */
export function allowPoliciesFor(
  docs: Document[],
  change: Pick<IstioAccessChange, 'namespace' | 'targetLabels'>,
): Document[] {
  return docsOfKind(
    docs,
    GROUP,
    'AuthorizationPolicy',
    change.namespace,
  ).filter(doc => {
    const action = plain(doc, ['spec', 'action']) ?? 'ALLOW';
    return (
      action === 'ALLOW' &&
      matchLabelsSelect(
        plain(doc, ['spec', 'selector', 'matchLabels']),
        change.targetLabels,
      )
    );
  });
}

const sorted = (v: unknown) => (Array.isArray(v) ? v.map(String).sort() : []);
const sameSet = (a: unknown, b: string[] | undefined) =>
  JSON.stringify(sorted(a)) === JSON.stringify([...(b ?? [])].sort());

function operationNode(
  doc: Document,
  op: NonNullable<IstioAccessChange['operation']>,
): YAMLMap {
  const operation = new YAMLMap();
  if (op.methods?.length) operation.set('methods', flowSeq(doc, op.methods));
  if (op.paths?.length) operation.set('paths', flowSeq(doc, op.paths));
  if (op.ports?.length) operation.set('ports', flowSeq(doc, op.ports));
  const entry = new YAMLMap();
  entry.set('operation', operation);
  return entry;
}

function hasOperation(
  op: IstioAccessChange['operation'],
): op is NonNullable<IstioAccessChange['operation']> {
  return Boolean(
    op && (op.ports?.length || op.methods?.length || op.paths?.length),
  );
}

/** `to` of a rule equals the requested operation (one entry, same sets, no negations). */
function ruleHasOperation(
  rule: Record<string, unknown>,
  op: IstioAccessChange['operation'],
): boolean {
  const to = rule.to as
    | Array<{ operation?: Record<string, unknown> }>
    | undefined;
  if (!hasOperation(op)) return !to || to.length === 0;
  return (to ?? []).some(t => {
    const o = t.operation ?? {};
    const keys = Object.keys(o).filter(k => o[k] !== undefined);
    return (
      keys.every(k => ['methods', 'paths', 'ports'].includes(k)) &&
      sameSet(o.methods, op.methods) &&
      sameSet(o.paths, op.paths) &&
      sameSet(o.ports, op.ports)
    );
  });
}

/** The principals a rule names, when its `from` is exactly one source with only principals. */
function soleSourcePrincipals(
  rule: Record<string, unknown>,
): string[] | undefined {
  const from = rule.from as
    | Array<{ source?: Record<string, unknown> }>
    | undefined;
  if (!from || from.length !== 1 || !from[0].source) return undefined;
  const keys = Object.keys(from[0].source);
  if (keys.length !== 1 || keys[0] !== 'principals') return undefined;
  return sorted(from[0].source.principals);
}

function onlyRequestKeys(rule: Record<string, unknown>) {
  return Object.keys(rule).every(k => k === 'from' || k === 'to');
}

/**
 * Grants the principals the operation: (1) a caller's own rule (exactly its principal) gets the
 * operation added to `to`; (2) a rule with exactly this operation gets the principals added;
 * (3) otherwise a new rule is appended to the first ALLOW policy selecting the target, or (4) a
 * new policy is created. Returns whether anything changed.
 */
export function addIstioAccess(
  docs: Document[],
  change: IstioAccessChange,
): boolean {
  const policies = allowPoliciesFor(docs, change);
  let remaining = [...change.principals];
  let changed = false;
  const rulesOf = (doc: Document) =>
    seqAt(doc, ['spec', 'rules'])?.items.filter(isMap) ?? [];

  // (1) Extend a caller's own rule with the operation.
  for (const principal of [...remaining]) {
    for (const doc of policies) {
      const rule = rulesOf(doc).find(r => {
        const js = r.toJSON() as Record<string, unknown>;
        return (
          onlyRequestKeys(js) &&
          JSON.stringify(soleSourcePrincipals(js)) ===
            JSON.stringify([principal])
        );
      });
      if (!rule) continue;
      const js = rule.toJSON() as Record<string, unknown>;
      if (!ruleHasOperation(js, change.operation)) {
        if (!hasOperation(change.operation) || !js.to) break; // no operation (all) vs a restricted rule: new rule below
        (rule.get('to', true) as unknown as YAMLSeq).add(
          operationNode(doc, change.operation),
        );
        changed = true;
      }
      remaining = remaining.filter(p => p !== principal);
      break;
    }
  }
  if (remaining.length === 0) return changed;

  // (2) A rule granting exactly this operation to principals only: add the principals there.
  for (const doc of policies) {
    for (const rule of rulesOf(doc)) {
      const js = rule.toJSON() as Record<string, unknown>;
      if (
        !onlyRequestKeys(js) ||
        !soleSourcePrincipals(js) ||
        !ruleHasOperation(js, change.operation)
      )
        continue;
      const seq = seqAt(rule, ['from', 0, 'source', 'principals'])!;
      for (const p of remaining)
        if (!seqStrings(seq).includes(p)) seq.add(quoted(p));
      return true;
    }
  }

  // (3)/(4) A new rule, in an existing policy or a new one.
  const target = policies[0];
  const doc = target ?? newPolicy(docs, change);
  const rule = new YAMLMap();
  const source = new YAMLMap();
  source.set('principals', flowSeq(doc, remaining));
  const fromEntry = new YAMLMap();
  fromEntry.set('source', source);
  const from = new YAMLSeq();
  from.add(fromEntry);
  rule.set('from', from);
  if (hasOperation(change.operation)) {
    const to = new YAMLSeq();
    to.add(operationNode(doc, change.operation));
    rule.set('to', to);
  }
  if (target && change.comment) rule.commentBefore = ` ${change.comment}`;
  let rules = seqAt(doc, ['spec', 'rules']);
  if (!rules) {
    rules = new YAMLSeq();
    doc.setIn(['spec', 'rules'], rules);
  }
  rules.add(rule);
  if (!target) docs.push(doc);
  return true;
}

function newPolicy(docs: Document[], change: IstioAccessChange): Document {
  return newObjectDocument(
    {
      apiVersion: `${GROUP}/v1`,
      kind: 'AuthorizationPolicy',
      metadata: {
        name: freeName(
          docs,
          'AuthorizationPolicy',
          `${change.targetName}-allow-callers`,
        ),
        namespace: change.namespace,
      },
      spec: {
        selector: { matchLabels: change.selectorLabels },
        action: 'ALLOW',
      },
    },
    change.comment,
  );
}
