import { SnapshotWorkload } from '../model';
import { readObjects } from './core/reader';
import { isObject } from './validate/check';

/*
 * A namespace's workloads, read again after a change of its pods or controllers
 * (engine/incremental.ts; docs/engine.md "Incremental evaluation"): pure functions of the
 * objects the evaluator holds for the namespace and the workloads read from them before.
 */

/** An object of a namespace as the incremental evaluator holds it (what is read here). */
export interface HeldObject {
  object: unknown;
  kind?: string;
  /** Pod or pod controller. */
  workload: boolean;
}

/** A workload's key (`namespace/kind/name`, the engine's workload keys). */
export const keyOf = (w: { namespace: string; kind: string; name: string }) =>
  `${w.namespace}/${w.kind}/${w.name}`;

/** `metadata.name` of a raw object, if it is a string. */
export function nameOf(object: unknown): string | undefined {
  const meta =
    isObject(object) && isObject(object.metadata) ? object.metadata : {};
  return typeof meta.name === 'string' ? meta.name : undefined;
}

/**
 * The workloads a namespace's pods and controllers make, read from the objects of `bucket`
 * that `include` keeps and pods and controllers only: the reader's other kinds (policies,
 * Services, ConfigMaps) make no workload.
 */
export function namespaceWorkloads(
  bucket: Map<string, HeldObject> | undefined,
  include: (e: HeldObject) => boolean,
  cluster: string | undefined,
): SnapshotWorkload[] {
  const objects: unknown[] = [];
  for (const e of bucket?.values() ?? [])
    if (e.workload && include(e)) objects.push(e.object);
  return objects.length > 0
    ? readObjects(objects, { cluster }).snapshot.workloads
    : [];
}

/**
 * The namespace's workloads after a change of pods only (`changed`: their names; `current`:
 * the workloads before, as the reader gave them), reading the workloads those pods left or
 * joined, not the namespace: every controller (they decide which workload a pod joins) and the
 * pods of those workloads. A pod joins the workload of an unchanged pod with the same owner
 * references and `pod-template-hash` (with the controllers unchanged, the reader resolves both
 * alike). Undefined when that cannot be told or the namespace's set of workloads changes (a
 * bare pod, an owner no other pod has, a workload appearing or gone): then the namespace is
 * read whole, as before.
 */
export function workloadsAfterPods(
  current: SnapshotWorkload[] | undefined,
  bucket: Map<string, HeldObject>,
  changed: Set<string>,
  cluster: string | undefined,
): SnapshotWorkload[] | undefined {
  if (!current) return undefined;
  const ownerOf = new Map<string, string>();
  for (const w of current) {
    const key = keyOf(w);
    for (const p of w.pods) {
      // Two pods of one name (under different keys): read the namespace whole.
      if (ownerOf.has(p.name)) return undefined;
      ownerOf.set(p.name, key);
    }
  }
  /** What decides a pod's workload besides the controllers; `first`: a cheap prefilter. */
  const lineage = (object: unknown) => {
    const meta =
      isObject(object) && isObject(object.metadata) ? object.metadata : {};
    const refs = meta.ownerReferences;
    if (!Array.isArray(refs) || refs.length === 0) return undefined;
    const labels = isObject(meta.labels) ? meta.labels : {};
    return {
      first: isObject(refs[0]) ? String(refs[0].name) : '',
      key: () => JSON.stringify([refs, labels['pod-template-hash']]),
    };
  };
  const affected = new Set<string>();
  for (const name of changed) {
    const owner = ownerOf.get(name);
    if (owner) affected.add(owner);
  }
  // The pods that came (or changed), then an unchanged pod of the same lineage for each.
  const came: Array<{ name: string; line: string }> = [];
  const wanted = new Set<string>();
  for (const e of bucket.values()) {
    if (e.kind !== 'Pod') continue;
    const name = nameOf(e.object);
    if (name === undefined) return undefined;
    if (!changed.has(name)) continue;
    const line = lineage(e.object);
    if (!line) return undefined;
    came.push({ name, line: line.key() });
    wanted.add(line.first);
  }
  const byLineage = new Map<string, string>();
  for (const e of came.length > 0 ? bucket.values() : []) {
    if (e.kind !== 'Pod') continue;
    const line = lineage(e.object);
    if (!line || !wanted.has(line.first)) continue;
    const name = nameOf(e.object)!;
    const owner = changed.has(name) ? undefined : ownerOf.get(name);
    if (owner) byLineage.set(line.key(), owner);
  }
  for (const { line } of came) {
    const owner = byLineage.get(line);
    if (!owner) return undefined;
    affected.add(owner);
  }
  const fresh = namespaceWorkloads(
    bucket,
    e => {
      if (e.kind !== 'Pod') return true;
      const name = nameOf(e.object)!;
      return changed.has(name) || affected.has(ownerOf.get(name) ?? '');
    },
    cluster,
  );
  // The same workloads as before (the controllers make theirs, pods or not), the affected
  // ones holding every pod that came.
  const known = new Set(current.map(keyOf));
  const read = new Map<string, SnapshotWorkload>();
  for (const w of fresh) {
    const key = keyOf(w);
    if (!known.has(key)) return undefined;
    if (affected.has(key)) read.set(key, w);
  }
  if (read.size !== affected.size) return undefined;
  const joined = new Set<string>();
  for (const w of read.values()) for (const p of w.pods) joined.add(p.name);
  if (came.some(c => !joined.has(c.name))) return undefined;
  return current.map(w => read.get(keyOf(w)) ?? w);
}
