/*
 * What `mesh-security diff` reports beside the estate's impact: its counts and its gates (the
 * JSON output and the Markdown comment share them).
 */

/** Counts of a diff. */
export interface DiffSummary {
  workloads: number;
  /** Callers gained, once per target workload however many of its ports they gain. */
  gained: number;
  /** Callers lost, counted as `gained`. */
  lost: number;
  mtlsDowngrades: number;
  layerChanges: number;
  introduced: number;
  resolved: number;
}

/** One gate of `--fail-on` and what hit it. */
export interface GateResult {
  /** The gate as given (`new-finding:high`). */
  gate: string;
  /** One line per change or finding that hit it. */
  hits: string[];
}
