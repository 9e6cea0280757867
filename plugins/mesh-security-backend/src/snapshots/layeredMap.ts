/**
 * A map carried from one generation to the next without a copy: each generation holds the
 * entries it set over the map of the generation before, which it reads through. Nothing is ever
 * removed (an entry is replaced), and both generations keep answering as of their own.
 *
 * Why: a copy of a 10,000-entry map per generation outlives young-generation collections and
 * is copied by them (docs/benchmarks.md, "What a scavenge copies while the clusters change"); a
 * layer holds only what its generation changed. The owner merges the layers now and then
 * ({@link LayeredMap.depth}) so that reads stay short and replaced values are released.
 */
export class LayeredMap<V> {
  private readonly own = new Map<string, V>();

  private constructor(
    private readonly below: LayeredMap<V> | undefined,
    /** How many maps a read may look into. */
    readonly depth: number,
  ) {}

  /** An empty map of one layer. */
  static empty<V>(): LayeredMap<V> {
    return new LayeredMap<V>(undefined, 1);
  }

  /** A map over this one: it reads this one's entries until it sets its own. */
  over(): LayeredMap<V> {
    return new LayeredMap<V>(this, this.depth + 1);
  }

  /** The entry of the nearest layer that has one. */
  get(key: string): V | undefined {
    const value = this.own.get(key);
    if (value !== undefined || this.own.has(key)) return value;
    return this.below?.get(key);
  }

  set(key: string, value: V): void {
    this.own.set(key, value);
  }

  /** Calls `fn` with every key's current value, each key once (no entry arrays allocated). */
  forEachValue(fn: (value: V) => void): void {
    this.forEachUnder(this, fn);
  }

  /** This layer's and the lower layers' entries that no layer from `top` down to here sets. */
  private forEachUnder(top: LayeredMap<V>, fn: (value: V) => void): void {
    this.own.forEach((value, key) => {
      if (!top.setsAbove(this, key)) fn(value);
    });
    this.below?.forEachUnder(top, fn);
  }

  /** Whether this layer, or one below it and above `layer`, sets `key`. */
  private setsAbove(layer: LayeredMap<V>, key: string): boolean {
    return (
      this !== layer && (this.own.has(key) || this.below!.setsAbove(layer, key))
    );
  }
}
