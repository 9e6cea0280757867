import { MtlsMode } from './model/mesh';
import { Severity } from './model/finding';
import { PillarStatus } from './model/scorecard';

/**
 * One component's posture on one day: the last complete evaluation recorded that day (UTC).
 * Days on which every evaluation was partial are absent, not guessed (docs/backend.md
 * "Posture history").
 *
 * @public
 */
export interface PostureDay {
  /** The day, `YYYY-MM-DD` (UTC). */
  day: string;
  /** The component's mode that day. */
  mtls: MtlsMode;
  /** Ports of the component's workloads that were STRICT. */
  strictPorts: number;
  /** Ports of the component's workloads. */
  totalPorts: number;
  /** Findings per severity (every severity present). */
  findingCounts: Record<Severity, number>;
  /** The four pillars' statuses. */
  pillars: {
    /** mTLS STRICT on every port. */
    verifyExplicitly: PillarStatus;
    /** Explicit ALLOW policies naming callers. */
    leastPrivilege: PillarStatus;
    /** A default-deny NetworkPolicy. */
    assumeBreach: PillarStatus;
    /** Secrets from an external store. */
    noCredentialLeakage: PillarStatus;
  };
  /**
   * True when the day was seeded from the demo's recorded events
   * (`meshSecurity.history.demoSeed`), not recorded from an evaluation: demo data.
   */
  demo?: boolean;
}

/**
 * A change of a component's mode, as first recorded (`from` absent on the first record).
 *
 * @public
 */
export interface PostureModeChange {
  /** When the change was recorded (ISO timestamp). */
  at: string;
  /** The mode before; absent on the component's first record. */
  from?: MtlsMode;
  /** The mode from then on. */
  to: MtlsMode;
  /** True when the change was seeded from the demo's recorded events: demo data. */
  demo?: boolean;
}

/**
 * A component's posture over time
 * (`GET /entity/:kind/:namespace/:name/history`).
 *
 * @public
 */
export interface EntityPostureHistory {
  /** The catalog entity, e.g. `component:default/payments`. */
  entityRef: string;
  /** False when the deployment turned history off (`meshSecurity.history.enabled: false`). */
  enabled: boolean;
  /** Days kept (`meshSecurity.history.retentionDays`). */
  retentionDays: number;
  /** The recorded days, oldest first, at most `retentionDays`. */
  days: PostureDay[];
  /** Mode changes, oldest first (at most the last 100). */
  changes: PostureModeChange[];
  /** True when any day or change is demo data (seeded, not recorded). */
  demo?: boolean;
}

/**
 * The catalog's posture on one day, over the components the caller may read.
 *
 * @public
 */
export interface OverviewHistoryDay {
  /** The day, `YYYY-MM-DD` (UTC). */
  day: string;
  /** Components recorded that day. */
  components: number;
  /** Components whose mode was STRICT. */
  strictComponents: number;
  /** STRICT ports, all components together. */
  strictPorts: number;
  /** Ports, all components together. */
  totalPorts: number;
  /** Findings per severity, all components together. */
  findingCounts: Record<Severity, number>;
  /**
   * Of `components`, those whose day was seeded from the demo's recorded events (demo data);
   * absent when none was.
   */
  demoComponents?: number;
}

/**
 * The catalog-wide posture over time (`GET /history`), optionally of one owner.
 *
 * @public
 */
export interface OverviewHistory {
  /** False when the deployment turned history off. */
  enabled: boolean;
  /** Days kept (`meshSecurity.history.retentionDays`). */
  retentionDays: number;
  /** The owner filter applied, when any. */
  owner?: string;
  /** The recorded days in the requested range, oldest first. */
  days: OverviewHistoryDay[];
  /** True when any day sums demo data (seeded, not recorded). */
  demo?: boolean;
}

/**
 * Query of `GET /history`.
 *
 * @public
 */
export interface OverviewHistoryQuery {
  /** Only components of this owner (an entity reference, as in `spec.owner`). */
  owner?: string;
  /** How many days back from today (1–400; default 90). */
  days?: number;
}

/**
 * The columns of the catalog-wide history as CSV (`GET /history?format=csv`), in order.
 *
 * @public
 */
export const OVERVIEW_HISTORY_CSV_COLUMNS = [
  'day',
  'components',
  'strict_components',
  'strict_ports',
  'total_ports',
  'strict_port_share',
  'critical',
  'high',
  'medium',
  'low',
  'info',
  'demo_components',
] as const;

/**
 * The columns of a component's history as CSV
 * (`GET /entity/:kind/:namespace/:name/history?format=csv`), in order.
 *
 * @public
 */
export const ENTITY_HISTORY_CSV_COLUMNS = [
  'day',
  'entity_ref',
  'mtls',
  'strict_ports',
  'total_ports',
  'critical',
  'high',
  'medium',
  'low',
  'info',
  'verify_explicitly',
  'least_privilege',
  'assume_breach',
  'no_credential_leakage',
  'source',
] as const;
