import {
  FlowCountFields,
  ObservedSource,
  TrafficCounts,
  TrafficSource,
} from '../../model';

/*
 * Sums of observed counts (docs/traffic.md, "What the engine does with observations"): every
 * flow adds to exactly one port entry and one edge (or unmatched) bucket.
 */

/** How many sources a port entry or an edge lists (the rest is counted, not listed). */
const LISTED_SOURCES = 5;

const zeroCounts = (): TrafficCounts => ({
  mtls: 0,
  plaintext: 0,
  denied: 0,
});

function addTo(
  into: TrafficCounts,
  mtls: number,
  plaintext: number,
  denied: number,
): void {
  into.mtls += mtls;
  into.plaintext += plaintext;
  into.denied += denied;
}

/** A count the metrics answered as NaN, negative or infinite counts as nothing. */
function finite(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** Requests or connections the receiving proxy accepted (mTLS or plaintext). */
export const accepted = (c: TrafficCounts): number => c.mtls + c.plaintext;

/** The counts a flow adds to a tally. */
type CountedFlow = {
  recent: TrafficCounts;
  evidence: TrafficCounts;
  lastSeen?: string;
};

/** Whether a flow holds its counts as fields (`FlowCountFields`): read without building. */
function hasCountFields(
  flow: CountedFlow,
): flow is CountedFlow & FlowCountFields {
  return typeof (flow as Partial<FlowCountFields>).evidenceDenied === 'number';
}

/** The counts of a flow without {@link FlowCountFields}, as those fields. */
function countFields(flow: CountedFlow): FlowCountFields {
  const recent = flow.recent;
  const evidence = flow.evidence;
  return {
    recentMtls: recent.mtls,
    recentPlaintext: recent.plaintext,
    recentDenied: recent.denied,
    evidenceMtls: evidence.mtls,
    evidencePlaintext: evidence.plaintext,
    evidenceDenied: evidence.denied,
  };
}

/** The plaintext a flow's receiving proxy accepted in the evidence window (as a tally adds it). */
export function plaintextEvidence(flow: CountedFlow): number {
  return finite(
    hasCountFields(flow) ? flow.evidencePlaintext : flow.evidence.plaintext,
  );
}

/** What a flow's receiving proxy accepted in the evidence window. */
export function acceptedEvidence(flow: CountedFlow): number {
  return hasCountFields(flow)
    ? flow.evidenceMtls + flow.evidencePlaintext
    : accepted(flow.evidence);
}

/** Everything a flow's receiving proxy reported in the evidence window, refused included. */
export function evidenceTotal(flow: CountedFlow): number {
  const c = hasCountFields(flow) ? flow : countFields(flow);
  return (
    finite(c.evidenceMtls) +
    finite(c.evidencePlaintext) +
    finite(c.evidenceDenied)
  );
}

/** The mTLS share of accepted traffic; null when nothing was accepted. */
export function mtlsShare(c: TrafficCounts): number | null {
  const total = accepted(c);
  return total > 0 ? c.mtls / total : null;
}

/** Whether `t` has the shape `YYYY-MM-DDTHH:mm:ss.sssZ` that `toISOString` writes. */
const canonical = (t: string) =>
  t.length === 24 &&
  t.charCodeAt(10) === 84 /* T */ &&
  t.charCodeAt(19) === 46 /* . */ &&
  t.charCodeAt(23) === 90; /* Z */

/**
 * The later of two ISO timestamps (either may be absent). Times in the canonical form (every
 * flow's: the reader writes them with `toISOString`) are compared as strings, which sort as the
 * times do; parsing both on every addition was the largest cost of joining a workload's flows
 * in an entity view (docs/benchmarks.md).
 */
export function later(a?: string, b?: string): string | undefined {
  if (!a) return b;
  if (!b || a === b) return a;
  if (canonical(a) && canonical(b)) return b > a ? b : a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** Counts and sources of one bucket (a port entry, an edge, an unmatched group). */
export class Tally {
  readonly recent = zeroCounts();
  readonly evidence = zeroCounts();
  lastSeen?: string;
  /** Each listed source's entry; none when the sources are not listed. */
  private readonly sources?: Map<string, ObservedSource>;
  /** The keys of the sources to list, when not all (`listSources` a set of keys). */
  private readonly listed?: ReadonlySet<string>;
  /** The keys of the sources counted but not listed. */
  private readonly unlisted?: Set<string>;
  private added = false;

  /**
   * `listSources` true: every source has an entry. False: the bucket's sources are not tallied
   * (a callee edge's source is always the workload whose callees they are): it counts one source
   * once anything was added, and lists none (an entity view holds one such tally per workload it
   * calls: no map for them). A set of keys: only those sources have an entry, the others are
   * counted by key (a port lists only its plaintext sources: no entry for each mTLS one).
   */
  constructor(listSources: boolean | ReadonlySet<string> = true) {
    if (listSources === false) return;
    this.sources = new Map();
    if (listSources !== true) {
      this.listed = listSources;
      this.unlisted = new Set();
    }
  }

  add(
    key: string,
    /** The source as listed (shared: copied into the tally's own entry). */
    source: Omit<ObservedSource, 'recent' | 'evidence'>,
    flow: CountedFlow,
  ): void {
    // A replica's flows hold their counts as fields and build `recent` / `evidence` on every
    // read: those are read from the fields, any other flow reads each window once.
    const c = hasCountFields(flow) ? flow : countFields(flow);
    const rm = finite(c.recentMtls);
    const rp = finite(c.recentPlaintext);
    const rd = finite(c.recentDenied);
    const em = finite(c.evidenceMtls);
    const ep = finite(c.evidencePlaintext);
    const ed = finite(c.evidenceDenied);
    addTo(this.recent, rm, rp, rd);
    addTo(this.evidence, em, ep, ed);
    this.lastSeen = later(this.lastSeen, flow.lastSeen);
    this.added = true;
    if (!this.sources) return;
    if (this.listed && !this.listed.has(key)) {
      this.unlisted!.add(key);
      return;
    }
    let entry = this.sources.get(key);
    if (!entry) {
      entry = sourceEntry(source);
      this.sources.set(key, entry);
    }
    addTo(entry.recent, rm, rp, rd);
    addTo(entry.evidence, em, ep, ed);
    const seen = later(entry.lastSeen, flow.lastSeen);
    if (seen) entry.lastSeen = seen;
  }

  get sourceCount(): number {
    if (!this.sources) return this.added ? 1 : 0;
    return this.sources.size + (this.unlisted?.size ?? 0);
  }

  /**
   * The listed sources that pass `keep`, most by `weight` first, then by label; at most `limit`.
   * `count`: how many listed sources pass `keep`.
   */
  top(
    weight: (s: ObservedSource) => number,
    keep: (s: ObservedSource) => boolean = () => true,
    limit = LISTED_SOURCES,
  ): { list: ObservedSource[]; count: number } {
    if (!this.sources) return { list: [], count: this.sourceCount };
    const kept = [...this.sources.values()].filter(keep);
    kept.sort(
      (a, b) =>
        weight(b) - weight(a) ||
        observedSourceKey(a).localeCompare(observedSourceKey(b)),
    );
    return { list: kept.slice(0, limit), count: kept.length };
  }
}

/**
 * A tally's entry for a source, with its own counts. Built field by field: an object spread here
 * cost microseconds per entry on Node 20 (docs/benchmarks.md, "Observed traffic").
 */
function sourceEntry(
  source: Omit<ObservedSource, 'recent' | 'evidence'>,
): ObservedSource {
  if (source.workload)
    return {
      from: source.from,
      workload: source.workload,
      recent: zeroCounts(),
      evidence: zeroCounts(),
    };
  if (source.candidates !== undefined)
    return {
      from: source.from,
      candidates: source.candidates,
      recent: zeroCounts(),
      evidence: zeroCounts(),
    };
  return { from: source.from, recent: zeroCounts(), evidence: zeroCounts() };
}

function observedSourceKey(s: ObservedSource): string {
  return s.workload
    ? `${s.workload.namespace}/${s.workload.name}`
    : sourceKey(s.from);
}

/** A stable key of a source as reported. */
function sourceKey(from: TrafficSource): string {
  if (from.kind === 'workload') return `${from.namespace}/${from.name}`;
  if (from.kind === 'identity') return from.identity;
  return '';
}
