import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  MtlsMode,
  OverviewHistoryDay,
  PillarStatus,
  PostureDay,
  PostureModeChange,
  SEVERITIES,
  Severity,
} from '@mesh-security/plugin-mesh-security-common';
import { Knex } from 'knex';

const MIGRATIONS = resolvePackagePath(
  '@mesh-security/plugin-mesh-security-backend',
  'migrations',
);

/**
 * Entity refs per `IN (…)` list: SQLite allows 999 bound variables per statement by default,
 * PostgreSQL 65,535.
 */
const CHUNK = 500;

/** Mode changes returned per component (the most recent ones). */
const MAX_CHANGES = 100;

/** The columns of `posture_daily` summed as they are: ports, then findings per severity. */
const SUMMED = ['strict_ports', 'total_ports', ...SEVERITIES] as const;

/** One day's sums as the database returns them (numbers, or strings for PostgreSQL's bigints). */
type SumRow = { day: string } & Record<string, string | number>;

/** Where a row came from: the demo's recorded events (null: recorded from an evaluation). */
export const DEMO_SEED_SOURCE = 'demo-seed';

/** One component's record for one day. */
export interface ComponentDay {
  entityRef: string;
  /** `spec.owner`, as written. */
  owner?: string;
  posture: PostureDay;
}

/** A mode change to seed (demo data). */
export interface SeededModeChange {
  entityRef: string;
  /** ISO timestamp. */
  at: string;
  from?: MtlsMode;
  to: MtlsMode;
}

interface DailyRow {
  day: string;
  entity_ref: string;
  owner: string | null;
  mtls: string;
  strict_ports: number;
  total_ports: number;
  critical: number;
  high: number;
  medium: number;
  low: number;
  info: number;
  verify_explicitly: string;
  least_privilege: string;
  assume_breach: string;
  no_credential_leakage: string;
  recorded_at: string;
  source: string | null;
}

interface ChangeRow {
  entity_ref: string;
  at: string;
  from_mode: string | null;
  to_mode: string;
  source?: string | null;
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK)
    out.push(items.slice(i, i + CHUNK));
  return out;
}

/** `YYYY-MM-DD` of a date, in UTC. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The UTC day `days` days before `date`'s. */
function daysBefore(date: Date, days: number): string {
  return utcDay(new Date(date.getTime() - days * 86_400_000));
}

function toRow(
  record: ComponentDay,
  recordedAt: string,
  source: string | null = null,
): DailyRow {
  const { posture } = record;
  return {
    day: posture.day,
    entity_ref: record.entityRef,
    owner: record.owner ?? null,
    mtls: posture.mtls,
    strict_ports: posture.strictPorts,
    total_ports: posture.totalPorts,
    critical: posture.findingCounts.critical,
    high: posture.findingCounts.high,
    medium: posture.findingCounts.medium,
    low: posture.findingCounts.low,
    info: posture.findingCounts.info,
    verify_explicitly: posture.pillars.verifyExplicitly,
    least_privilege: posture.pillars.leastPrivilege,
    assume_breach: posture.pillars.assumeBreach,
    no_credential_leakage: posture.pillars.noCredentialLeakage,
    recorded_at: recordedAt,
    source,
  };
}

function fromRow(row: DailyRow): PostureDay {
  return {
    day: row.day,
    mtls: row.mtls as MtlsMode,
    strictPorts: Number(row.strict_ports),
    totalPorts: Number(row.total_ports),
    findingCounts: {
      critical: Number(row.critical),
      high: Number(row.high),
      medium: Number(row.medium),
      low: Number(row.low),
      info: Number(row.info),
    },
    pillars: {
      verifyExplicitly: row.verify_explicitly as PillarStatus,
      leastPrivilege: row.least_privilege as PillarStatus,
      assumeBreach: row.assume_breach as PillarStatus,
      noCredentialLeakage: row.no_credential_leakage as PillarStatus,
    },
    ...(row.source === DEMO_SEED_SOURCE ? { demo: true } : {}),
  };
}

/**
 * The plugin's posture history in its own database (Backstage `DatabaseService`; SQLite or
 * PostgreSQL): a row per component and UTC day, overwritten by later complete evaluations of the
 * same day, and a row per change of a component's mode. Writes are idempotent: recording the same
 * evaluation twice (a retried task, two replicas) leaves the same rows.
 */
export class HistoryStore {
  static async create(
    db: Knex,
    options: { skipMigrations?: boolean } = {},
  ): Promise<HistoryStore> {
    if (!options.skipMigrations) {
      await db.migrate.latest({ directory: MIGRATIONS });
    }
    // The owner sums came after the first history: fill them once from the days recorded before.
    const [summed, recorded] = await Promise.all([
      db('posture_owner_members').first('entity_ref'),
      db('posture_daily').first('entity_ref'),
    ]);
    if (!summed && recorded) {
      await db.transaction(async tx => {
        await oneWriterAtATime(tx);
        await summarize(tx);
      });
    }
    return new HistoryStore(db);
  }

  private constructor(private readonly db: Knex) {}

  /**
   * Records each component's posture for its day and a mode change for each component whose
   * mode differs from its last recorded one (or that has none yet). Returns the changes written.
   */
  async record(records: ComponentDay[], now: Date): Promise<number> {
    if (records.length === 0) return 0;
    const at = now.toISOString();
    let written = 0;
    await this.db.transaction(async tx => {
      await oneWriterAtATime(tx);
      for (const chunk of chunks(records)) {
        await tx<DailyRow>('posture_daily')
          .insert(chunk.map(r => toRow(r, at)))
          .onConflict(['day', 'entity_ref'])
          .merge();
        const last = await lastModes(
          tx,
          chunk.map(r => r.entityRef),
        );
        const changes: ChangeRow[] = chunk
          .filter(r => last.get(r.entityRef) !== r.posture.mtls)
          .map(r => ({
            entity_ref: r.entityRef,
            at,
            from_mode: last.get(r.entityRef) ?? null,
            to_mode: r.posture.mtls,
          }));
        if (changes.length) {
          await tx<ChangeRow>('posture_mode_changes')
            .insert(changes)
            .onConflict(['entity_ref', 'at'])
            .ignore();
          written += changes.length;
        }
      }
      await summarize(tx, [...new Set(records.map(r => r.posture.day))]);
    });
    return written;
  }

  /**
   * Seeds demo data (`source = 'demo-seed'`): the days and mode changes of components that have
   * no row yet, in one transaction. Components with any row (recorded or seeded before) are left
   * as they are, so seeding on every start neither duplicates nor mixes into a real history.
   * Returns the components seeded.
   */
  async seed(
    days: ComponentDay[],
    changes: SeededModeChange[],
    now: Date,
  ): Promise<string[]> {
    const refs = [
      ...new Set([
        ...days.map(d => d.entityRef),
        ...changes.map(c => c.entityRef),
      ]),
    ];
    if (refs.length === 0) return [];
    const at = now.toISOString();
    return this.db.transaction(async tx => {
      await oneWriterAtATime(tx);
      const known = new Set<string>();
      for (const chunk of chunks(refs)) {
        for (const table of ['posture_daily', 'posture_mode_changes']) {
          const rows: Array<{ entity_ref: string }> = await tx(table)
            .distinct('entity_ref')
            .whereIn('entity_ref', chunk);
          rows.forEach(r => known.add(r.entity_ref));
        }
      }
      const fresh = new Set(refs.filter(r => !known.has(r)));
      const dayRows = days
        .filter(d => fresh.has(d.entityRef))
        .map(d => toRow(d, at, DEMO_SEED_SOURCE));
      const changeRows: ChangeRow[] = changes
        .filter(c => fresh.has(c.entityRef))
        .map(c => ({
          entity_ref: c.entityRef,
          at: c.at,
          from_mode: c.from ?? null,
          to_mode: c.to,
          source: DEMO_SEED_SOURCE,
        }));
      // 17 columns a row: 50 rows stay below SQLite's 999 bound variables.
      for (let i = 0; i < dayRows.length; i += 50) {
        await tx<DailyRow>('posture_daily')
          .insert(dayRows.slice(i, i + 50))
          .onConflict(['day', 'entity_ref'])
          .ignore();
      }
      for (let i = 0; i < changeRows.length; i += 100) {
        await tx<ChangeRow>('posture_mode_changes')
          .insert(changeRows.slice(i, i + 100))
          .onConflict(['entity_ref', 'at'])
          .ignore();
      }
      await summarize(tx, [...new Set(dayRows.map(r => r.day))]);
      return [...fresh];
    });
  }

  /**
   * Deletes days older than `retentionDays` and mode changes older than that, except each
   * component's latest change (which says since when its current mode holds).
   */
  async prune(retentionDays: number, now: Date): Promise<void> {
    const cutoffDay = daysBefore(now, retentionDays - 1);
    const cutoffAt = `${cutoffDay}T00:00:00.000Z`;
    await this.db.transaction(async tx => {
      await oneWriterAtATime(tx);
      await tx('posture_daily').where('day', '<', cutoffDay).delete();
      await tx('posture_owner_daily').where('day', '<', cutoffDay).delete();
      await tx('posture_owner_members')
        .where('last_day', '<', cutoffDay)
        .delete();
    });
    await this.db('posture_mode_changes as c')
      .where('c.at', '<', cutoffAt)
      .whereExists(
        this.db('posture_mode_changes as n')
          .select(this.db.raw('1'))
          .whereRaw('n.entity_ref = c.entity_ref')
          .whereRaw('n.at > c.at'),
      )
      .delete();
  }

  /** A component's days within `days` days back (oldest first) and its latest mode changes. */
  async entityHistory(
    entityRef: string,
    days: number,
    now: Date,
  ): Promise<{ days: PostureDay[]; changes: PostureModeChange[] }> {
    const rows = await this.db<DailyRow>('posture_daily')
      .where('entity_ref', entityRef)
      .andWhere('day', '>=', daysBefore(now, days - 1))
      .orderBy('day', 'asc');
    const changes = await this.db<ChangeRow>('posture_mode_changes')
      .where('entity_ref', entityRef)
      .orderBy('at', 'desc')
      .limit(MAX_CHANGES);
    return {
      days: rows.map(fromRow),
      changes: changes.reverse().map(c => ({
        at: c.at,
        ...(c.from_mode ? { from: c.from_mode as MtlsMode } : {}),
        to: c.to_mode as MtlsMode,
        ...(c.source === DEMO_SEED_SOURCE ? { demo: true } : {}),
      })),
    };
  }

  /**
   * Per day within `days` days back (oldest first), the sums over the given components (only
   * those of `owner` when set). When every component with days of that owner (or of any owner)
   * in the range is among the given ones, the sums come from the per-owner summary rows — one
   * row per owner and day; otherwise from the components' own rows, so a component the caller
   * may not read never changes a figure.
   */
  async overviewHistory(
    entityRefs: string[],
    days: number,
    now: Date,
    owner?: string,
  ): Promise<OverviewHistoryDay[]> {
    if (entityRefs.length === 0) return [];
    const since = daysBefore(now, days - 1);
    const rows =
      (await this.ownerSums(new Set(entityRefs), since, owner)) ??
      (await this.componentSums(entityRefs, since, owner));
    return rows
      .map(row => {
        const sum = emptyDay(String(row.day));
        sum.components = Number(row.components);
        sum.strictComponents = Number(row.strict_components);
        sum.strictPorts = Number(row.strict_ports);
        sum.totalPorts = Number(row.total_ports);
        for (const severity of SEVERITIES)
          sum.findingCounts[severity] = Number(row[severity]);
        const demo = Number(row.demo_components);
        if (demo > 0) sum.demoComponents = demo;
        return sum;
      })
      .sort((a, b) => a.day.localeCompare(b.day));
  }

  /** The per-owner summary rows summed per day; undefined when they cover a hidden component. */
  private async ownerSums(
    readable: Set<string>,
    since: string,
    owner?: string,
  ): Promise<SumRow[] | undefined> {
    let members = this.db('posture_owner_members')
      .select('entity_ref')
      .where('last_day', '>=', since);
    if (owner !== undefined) members = members.andWhere('owner', owner);
    const covered: Array<{ entity_ref: string }> = await members;
    if (covered.some(m => !readable.has(m.entity_ref))) return undefined;
    let query = this.db('posture_owner_daily')
      .select('day')
      .sum({
        components: 'components',
        strict_components: 'strict_components',
        ...Object.fromEntries(SUMMED.map(c => [c, c])),
        demo_components: 'demo_components',
      })
      .where('day', '>=', since)
      .groupBy('day');
    if (owner !== undefined) query = query.andWhere('owner', owner);
    return (await query) as SumRow[];
  }

  /** The sums of the given components' own rows per day. */
  private async componentSums(
    entityRefs: string[],
    since: string,
    owner?: string,
  ): Promise<SumRow[]> {
    let query = this.db('posture_daily')
      .select('day')
      .count({ components: '*' })
      .sum({
        strict_components: this.db.raw(
          "case when mtls = 'STRICT' then 1 else 0 end",
        ),
        ...Object.fromEntries(SUMMED.map(c => [c, c])),
        demo_components: this.db.raw(
          `case when source = '${DEMO_SEED_SOURCE}' then 1 else 0 end`,
        ),
      })
      .where('day', '>=', since)
      .groupBy('day');
    if (owner !== undefined) query = query.andWhere('owner', owner);
    // The readable components as one bound value (a JSON array), however many: one statement
    // instead of one per 500 refs, and no limit on bound variables.
    const refs = JSON.stringify(entityRefs);
    query =
      this.db.client.dialect === 'postgresql'
        ? query.whereRaw(
            'entity_ref in (select jsonb_array_elements_text(?::jsonb))',
            [refs],
          )
        : query.whereRaw('entity_ref in (select value from json_each(?))', [
            refs,
          ]);
    return (await query) as SumRow[];
  }
}

/**
 * History writers one at a time (two replicas recording or seeding at once): on PostgreSQL a
 * transaction-scoped advisory lock, so each recomputed owner sum sees every committed row;
 * SQLite has one writer anyway.
 */
async function oneWriterAtATime(tx: Knex.Transaction): Promise<void> {
  if (tx.client.dialect === 'postgresql') {
    // "mesh" in ASCII: the plugin's own lock key.
    await tx.raw('select pg_advisory_xact_lock(1835365224)');
  }
}

/**
 * Recomputes, from `posture_daily`, the per-owner sums of the given days (every day when
 * undefined) and records which components they cover up to which day.
 */
async function summarize(tx: Knex.Transaction, days?: string[]): Promise<void> {
  const batches = days ? chunks(days) : [undefined];
  for (const batch of batches) {
    if (batch?.length === 0) continue;
    // SQLite needs a WHERE before an upsert's ON CONFLICT when inserting from a SELECT.
    const where = batch
      ? `day in (${batch.map(() => '?').join(', ')})`
      : '1 = 1';
    const bindings = batch ?? [];
    if (batch) await tx('posture_owner_daily').whereIn('day', batch).delete();
    else await tx('posture_owner_daily').delete();
    await tx.raw(
      `insert into posture_owner_daily
         (day, owner, components, strict_components, ${SUMMED.join(
           ', ',
         )}, demo_components)
       select day, coalesce(owner, ''), count(*),
              sum(case when mtls = 'STRICT' then 1 else 0 end),
              ${SUMMED.map(c => `sum(${c})`).join(', ')},
              sum(case when source = ? then 1 else 0 end)
       from posture_daily where ${where}
       group by day, coalesce(owner, '')`,
      [DEMO_SEED_SOURCE, ...bindings],
    );
    await tx.raw(
      `insert into posture_owner_members (owner, entity_ref, last_day)
       select coalesce(owner, ''), entity_ref, max(day)
       from posture_daily where ${where}
       group by coalesce(owner, ''), entity_ref
       on conflict (owner, entity_ref) do update set last_day =
         case when excluded.last_day > posture_owner_members.last_day
              then excluded.last_day else posture_owner_members.last_day end`,
      bindings,
    );
  }
}

function emptyDay(day: string): OverviewHistoryDay {
  return {
    day,
    components: 0,
    strictComponents: 0,
    strictPorts: 0,
    totalPorts: 0,
    findingCounts: Object.fromEntries(SEVERITIES.map(s => [s, 0])) as Record<
      Severity,
      number
    >,
  };
}

/** Each given component's last recorded mode (absent when none is recorded). */
async function lastModes(
  tx: Knex.Transaction,
  entityRefs: string[],
): Promise<Map<string, MtlsMode>> {
  const latest = tx('posture_mode_changes')
    .select('entity_ref')
    .max({ at: 'at' })
    .whereIn('entity_ref', entityRefs)
    .groupBy('entity_ref')
    .as('l');
  const rows: Array<{ entity_ref: string; to_mode: string }> = await tx(
    'posture_mode_changes as c',
  )
    .join(latest, join =>
      join.on('c.entity_ref', '=', 'l.entity_ref').andOn('c.at', '=', 'l.at'),
    )
    .select('c.entity_ref as entity_ref', 'c.to_mode as to_mode');
  return new Map(rows.map(r => [r.entity_ref, r.to_mode as MtlsMode]));
}
