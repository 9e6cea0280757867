import { LabelSelector } from '../../model';
import { selectorMatches } from './match';

/**
 * An index of items carrying a label selector, so that "which items select these labels" costs
 * a few map lookups instead of a scan: items are bucketed by their first `matchLabels` pair;
 * selectors without one (empty, or expressions only) sit in a small bucket checked every time.
 */
export class SelectorIndex<T> {
  private readonly byPair = new Map<string, T[]>();
  private readonly unbucketed: T[] = [];
  private readonly all: T[] = [];
  private readonly order = new Map<T, number>();

  constructor(
    private readonly selectorOf: (item: T) => LabelSelector | undefined,
  ) {}

  add(item: T): void {
    this.order.set(item, this.all.length);
    this.all.push(item);
    const ml = this.selectorOf(item)?.matchLabels;
    const first = ml ? Object.keys(ml)[0] : undefined;
    if (first === undefined) {
      this.unbucketed.push(item);
      return;
    }
    const key = `${first}\u0000${ml![first]}`;
    const bucket = this.byPair.get(key);
    if (bucket) bucket.push(item);
    else this.byPair.set(key, [item]);
  }

  /** Items whose selector selects `labels`, in insertion order. */
  matching(labels: Record<string, string>): T[] {
    const out: T[] = [];
    for (const item of this.unbucketed)
      if (selectorMatches(this.selectorOf(item), labels)) out.push(item);
    if (this.byPair.size > 0) {
      for (const key of Object.keys(labels)) {
        const bucket = this.byPair.get(`${key}\u0000${labels[key]}`);
        if (!bucket) continue;
        for (const item of bucket)
          if (selectorMatches(this.selectorOf(item), labels)) out.push(item);
      }
    }
    if (out.length > 1 && this.byPair.size > 0) {
      out.sort((a, b) => this.order.get(a)! - this.order.get(b)!);
    }
    return out;
  }

  items(): readonly T[] {
    return this.all;
  }
}

/** Groups items by a key (namespace), creating buckets lazily. */
export function groupBy<T, K>(
  items: readonly T[],
  key: (item: T) => K,
): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const bucket = out.get(k);
    if (bucket) bucket.push(item);
    else out.set(k, [item]);
  }
  return out;
}
