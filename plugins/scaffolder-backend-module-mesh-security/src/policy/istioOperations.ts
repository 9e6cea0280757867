import {
  istioPathCovers,
  istioPathsIntersect,
} from '@mesh-security/plugin-mesh-security-common';

/*
 * Set arithmetic on Istio operations ("Authorization Policy" reference, Operation): the fields of
 * one operation are ANDed, the values of a field are ORed, `notX` excludes values. How path
 * patterns relate is the engine's (`engine/istio/pathPatterns.ts` in the common package).
 * Revoking requests from an operation O is O ∧ ¬(port ∈ P ∧ method ∈ M ∧ path ∈ X), which is
 * the union over the revoked fields f of (O ∧ f ∉ V_f): one operation per field, each narrowed
 * by removing the revoked values from its list (or adding them to `notX` when O lists none).
 */

/** The fields of an operation this module narrows. */
export type OperationField = 'ports' | 'methods' | 'paths';

const NOT: Record<OperationField, string> = {
  ports: 'notPorts',
  methods: 'notMethods',
  paths: 'notPaths',
};

/** An Istio operation as plain data (other fields, e.g. hosts, are kept as they are). */
export type Operation = Record<string, unknown>;

/** The requests to revoke: each given field restricts them (absent: every value). */
export type Revocation = Partial<Record<OperationField, string[]>>;

/** Every request matching `inner` also matches `outer`. */
function covers(field: OperationField, outer: string, inner: string) {
  return field === 'paths' ? istioPathCovers(outer, inner) : outer === inner;
}

/** Some request matches both (paths: see the engine's `istioPathsIntersect`). */
function intersects(field: OperationField, a: string, b: string) {
  return field === 'paths' ? istioPathsIntersect(a, b) : a === b;
}

const list = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.map(String) : undefined;

const fieldsOf = (r: Revocation) =>
  (Object.keys(NOT) as OperationField[]).filter(f => r[f]?.length);

/** Whether the operation allows some request of the revocation. */
function meets(op: Operation, r: Revocation): boolean {
  return fieldsOf(r).every(f => {
    const values = list(op[f]);
    const excluded = list(op[NOT[f]]) ?? [];
    return r[f]!.some(
      v =>
        (!values || values.some(x => intersects(f, x, v))) &&
        !excluded.some(x => covers(f, x, v)),
    );
  });
}

/** Whether every request the operation allows is revoked. */
function within(op: Operation, r: Revocation): boolean {
  return fieldsOf(r).every(f => {
    const values = list(op[f]);
    return !!values && values.every(x => r[f]!.some(v => covers(f, v, x)));
  });
}

const union = (a: string[] | undefined, b: string[]) => [
  ...new Set([...(a ?? []), ...b]),
];

/**
 * The operation minus the revoked requests: undefined when they do not meet (keep it as it is),
 * `[]` when all of it is revoked, else the operations allowing exactly the rest.
 */
export function subtract(
  op: Operation,
  r: Revocation,
): Operation[] | undefined {
  if (!meets(op, r)) return undefined;
  if (within(op, r)) return [];
  const out: Operation[] = [];
  for (const f of fieldsOf(r)) {
    const values = list(op[f]);
    const revoked = r[f]!;
    const next: Operation = { ...op };
    if (values) {
      const kept = values.filter(x => !revoked.some(v => covers(f, v, x)));
      if (kept.length === 0) continue; // this field alone cannot keep anything
      next[f] = kept;
      const partial = revoked.filter(v => kept.some(x => intersects(f, x, v)));
      if (partial.length) next[NOT[f]] = union(list(op[NOT[f]]), partial);
    } else {
      next[NOT[f]] = union(list(op[NOT[f]]), revoked);
    }
    out.push(next);
  }
  return out;
}

/** `GET /status`, `DELETE requests`, `every request on port 8080`: the revoked requests in words. */
export function describeRevocation(r: Revocation): string {
  const methods = r.methods?.join('/');
  const paths = r.paths?.join(', ');
  let what = 'every request';
  if (methods && paths) what = `${methods} ${paths}`;
  else if (methods) what = `${methods} requests`;
  else if (paths) what = `requests to ${paths}`;
  return r.ports?.length ? `${what} on port ${r.ports.join(', ')}` : what;
}
