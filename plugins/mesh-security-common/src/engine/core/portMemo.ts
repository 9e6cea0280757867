/**
 * A value per object (a workload, or its evaluation) and port, computed once. Each object keeps
 * a flat list of port and value pairs: a workload has a few ports, and a `Map` per workload cost
 * about 400 bytes however few it held — for every workload a view or a blocked-callers list
 * asked about, kept as long as the workload (docs/benchmarks.md, "Memory per pod").
 */
export class PortMemo<K extends object, T> {
  private readonly byObject = new WeakMap<K, Array<number | T>>();

  get(key: K, port: number, compute: () => T): T {
    const pairs = this.byObject.get(key);
    if (pairs)
      for (let i = 0; i < pairs.length; i += 2)
        if (pairs[i] === port) return pairs[i + 1] as T;
    const value = compute();
    // A new list of the exact length (a list grown by `push` reserves room for 17 entries).
    this.byObject.set(key, pairs ? [...pairs, port, value] : [port, value]);
    return value;
  }
}
