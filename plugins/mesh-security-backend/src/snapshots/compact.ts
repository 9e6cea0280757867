import { yieldEvery } from './slices';

/**
 * Makes an evaluated view cheap to retain: equal strings and equal small objects and arrays
 * (port modes, scorecard pillars, findings' object references, reasons repeated for every
 * workload of a namespace) become one shared copy, and strings the engine built piecewise are
 * stored flat (V8 keeps a concatenation as a tree of fragments until it is flattened).
 *
 * The result shares structure, so it must be treated as read-only (every caller spreads into
 * new objects). Values are returned unchanged in meaning: same JSON, same types.
 */
export class Compactor {
  private readonly strings = new Map<string, string>();
  private readonly nodes = new Map<string, unknown>();

  /** Objects or arrays whose JSON is longer than this are not shared (only their parts are). */
  constructor(private readonly maxSharedJson = 512) {}

  compact<T>(value: T): T {
    return this.visit(value) as T;
  }

  /**
   * Compacts a large document (a cluster snapshot) in slices that yield to the event loop
   * every `sliceMs`: the elements of its arrays down to `depth` levels of objects are
   * compacted one by one, and those containers themselves are rebuilt, not shared.
   */
  async compactInSlices<T>(value: T, sliceMs = 20, depth = 2): Promise<T> {
    const pause = yieldEvery(sliceMs);
    const level = async (v: unknown, levels: number): Promise<unknown> => {
      if (Array.isArray(v)) {
        const out: unknown[] = [];
        for (const item of v) {
          out.push(this.visit(item));
          await pause();
        }
        return out;
      }
      if (levels > 0 && v !== null && typeof v === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) {
          if (x !== undefined) out[this.string(k)] = await level(x, levels - 1);
        }
        return out;
      }
      return this.visit(v);
    };
    return (await level(value, depth)) as T;
  }

  private visit(value: unknown): unknown {
    if (typeof value === 'string') return this.string(value);
    if (value === null || typeof value !== 'object') return value;
    let out: unknown;
    if (Array.isArray(value)) {
      out = value.map(v => this.visit(v));
    } else {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (v !== undefined) o[this.string(k)] = this.visit(v);
      }
      out = o;
    }
    const key = JSON.stringify(out);
    if (key.length > this.maxSharedJson) return out;
    const held = this.nodes.get(key);
    if (held !== undefined) return held;
    this.nodes.set(key, out);
    return out;
  }

  private string(value: string): string {
    const held = this.strings.get(value);
    if (held !== undefined) return held;
    // A copy through a buffer is a flat string, whatever `value` was built from.
    const flat =
      value.length > 8 ? Buffer.from(value, 'utf8').toString('utf8') : value;
    this.strings.set(flat, flat);
    return flat;
  }
}
