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
    const flat = value.length > 8 ? Buffer.from(value, 'utf8').toString('utf8') : value;
    this.strings.set(flat, flat);
    return flat;
  }
}
