import { ObservedFlow, TrafficObservations } from '../../model';

/*
 * An observations object's flows grouped by the names their ends carry (docs/traffic.md, "What
 * the engine does with observations"). The grouping reads no snapshot, so it is made once per
 * observations object and shared by the joins of every snapshot generation: the join of a new
 * generation (a pod event on a watched cluster) resolves the flows of the workloads it is asked
 * about, not every flow of the cluster again.
 */

/** A receiving workload as the flows name it, with its flows. */
export interface ReceivedFlows {
  /** The receiving workload's namespace and name, as the flows carry them. */
  ref: ObservedFlow['to'];
  /** The flows' positions in `observations.flows`, ascending. */
  indexes: number[];
}

/** The flows of one observations object, by the names of their ends. */
export interface FlowIndex {
  /** By receiving workload (`namespace/name`). */
  readonly to: ReadonlyMap<string, ReceivedFlows>;
  /** By the workload a source was reported as (`namespace/name`): positions, ascending. */
  readonly fromName: ReadonlyMap<string, number[]>;
  /**
   * By the identity a source presented (identity sources, and workload sources that carry
   * one): positions, ascending.
   */
  readonly fromIdentity: ReadonlyMap<string, number[]>;
  /** Per mesh, the receiving workloads of its flows that carry a port, each once. */
  readonly ported: ReadonlyMap<string, ObservedFlow['to'][]>;
}

/** `namespace/name`: neither holds a `/` in Kubernetes. */
export const nameKey = (namespace: string, name: string): string =>
  `${namespace}/${name}`;

/** The index of no flows. */
export const NO_INDEX: FlowIndex = {
  to: new Map(),
  fromName: new Map(),
  fromIdentity: new Map(),
  ported: new Map(),
};

const indexes = new WeakMap<TrafficObservations, FlowIndex>();

/** The observations' flows grouped by name, made on first use and kept with the object. */
export function flowIndexOf(observations: TrafficObservations): FlowIndex {
  if (observations.flows.length === 0) return NO_INDEX;
  let index = indexes.get(observations);
  if (!index) {
    index = build(observations.flows);
    indexes.set(observations, index);
  }
  return index;
}

function build(flows: ObservedFlow[]): FlowIndex {
  const to = new Map<string, ReceivedFlows>();
  const fromName = new Map<string, number[]>();
  const fromIdentity = new Map<string, number[]>();
  const ported = new Map<string, ObservedFlow['to'][]>();
  const portedKeys = new Map<string, Set<string>>();
  // Flows share their receiving workload's object (the reader makes one per workload): its key
  // is built once per object.
  const toKeys = new Map<ObservedFlow['to'], string>();
  const add = (map: Map<string, number[]>, key: string, i: number) => {
    const list = map.get(key);
    if (list) list.push(i);
    else map.set(key, [i]);
  };
  for (let i = 0; i < flows.length; i++) {
    const flow = flows[i];
    let key = toKeys.get(flow.to);
    if (key === undefined) {
      key = nameKey(flow.to.namespace, flow.to.name);
      toKeys.set(flow.to, key);
    }
    const received = to.get(key);
    if (received) received.indexes.push(i);
    else to.set(key, { ref: flow.to, indexes: [i] });
    if (flow.port !== undefined) {
      let keys = portedKeys.get(flow.mesh);
      if (!keys) {
        portedKeys.set(flow.mesh, (keys = new Set()));
        ported.set(flow.mesh, []);
      }
      if (!keys.has(key)) {
        keys.add(key);
        ported.get(flow.mesh)!.push(flow.to);
      }
    }
    const from = flow.from;
    if (from.kind === 'workload')
      add(fromName, nameKey(from.namespace, from.name), i);
    if (from.kind !== 'unknown' && from.identity !== undefined)
      add(fromIdentity, from.identity, i);
  }
  return { to, fromName, fromIdentity, ported };
}

/** The positions in both ascending lists, ascending, each once. */
export function mergePositions(a: number[], b: number[]): number[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) out.push(a[i++]);
    else if (i >= a.length || b[j] < a[i]) out.push(b[j++]);
    else {
      out.push(a[i++]);
      j++;
    }
  }
  return out;
}
