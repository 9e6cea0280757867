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
  /** Each distinct string: its flat copy, its number in keys, and its JSON length. */
  private readonly strings = new Map<string, Interned>();
  /** Each shared object or array by its key (see `visit`), and its number in keys. */
  private readonly nodes = new Map<string, { node: unknown; id: number }>();
  private ids = 0;
  /**
   * What `visit` tells about the value it last returned: the length of its JSON (added up from
   * its parts', so exact at every level) and its token in a parent's key (empty when the value
   * is not shared, which makes the parent not shared either).
   */
  private size = 0;
  private token = '';

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
          if (x !== undefined)
            out[this.string(k).flat] = await level(x, levels - 1);
        }
        return out;
      }
      return this.visit(v);
    };
    return (await level(value, depth)) as T;
  }

  /**
   * Compacts bottom-up. Two values have the same JSON exactly when their parts are the same
   * shared strings and nodes in the same order, so a node is keyed by its parts' numbers (a
   * short string) rather than by its JSON, and a node is only considered for sharing when its
   * JSON, added up from its parts', stays within `maxSharedJson`. Keying every node by its
   * `JSON.stringify` stringified each part once per level above it, and was most of a
   * cluster's compaction time (docs/benchmarks.md).
   */
  private visit(value: unknown): unknown {
    if (typeof value === 'string') {
      const s = this.string(value);
      this.size = s.json;
      this.token = s.token;
      return s.flat;
    }
    if (value === null || typeof value !== 'object') {
      // JSON's own text for a number, a boolean or null (undefined in an array is null).
      const text = JSON.stringify(value) ?? 'null';
      this.size = text.length;
      this.token = text;
      return value;
    }
    let out: unknown;
    // Brackets and the commas between n entries: n + 1 characters.
    let size = 1;
    let key: string | undefined;
    if (Array.isArray(value)) {
      const a: unknown[] = new Array(value.length);
      key = '[';
      for (let i = 0; i < value.length; i++) {
        a[i] = this.visit(value[i]);
        size += this.size + 1;
        key =
          this.token && key !== undefined ? `${key}${this.token},` : undefined;
      }
      out = a;
      if (value.length === 0) size = 2;
    } else {
      const o: Record<string, unknown> = {};
      key = '{';
      let entries = 0;
      const record = value as Record<string, unknown>;
      for (const k of Object.keys(record)) {
        const v = record[k];
        if (v === undefined) continue;
        const name = this.string(k);
        o[name.flat] = this.visit(v);
        // "k": and the value
        size += name.json + 1 + this.size + 1;
        key =
          this.token && key !== undefined
            ? `${key}${name.token}:${this.token},`
            : undefined;
        entries++;
      }
      out = o;
      if (entries === 0) size = 2;
    }
    this.size = size;
    this.token = '';
    if (key === undefined || size > this.maxSharedJson) return out;
    const held = this.nodes.get(key);
    if (held !== undefined) {
      this.token = `#${held.id}`;
      return held.node;
    }
    const id = this.ids++;
    this.nodes.set(key, { node: out, id });
    this.token = `#${id}`;
    return out;
  }

  private string(value: string): Interned {
    const held = this.strings.get(value);
    if (held !== undefined) return held;
    // A copy through a buffer is a flat string, whatever `value` was built from.
    const flat =
      value.length > 8 ? Buffer.from(value, 'utf8').toString('utf8') : value;
    const interned = {
      flat,
      token: `$${this.ids++}`,
      json: JSON.stringify(flat).length,
    };
    this.strings.set(flat, interned);
    return interned;
  }
}

interface Interned {
  flat: string;
  /** The string's part in its parents' keys. */
  token: string;
  /** The length of its JSON. */
  json: number;
}
