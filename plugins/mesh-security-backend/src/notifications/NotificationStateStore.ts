import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { BASELINE_CAUSE } from './causes';

const MIGRATIONS = resolvePackagePath(
  '@mesh-security/plugin-mesh-security-backend',
  'migrations',
);

/** Entity refs per `IN (…)` list (SQLite allows 999 bound variables by default). */
const CHUNK = 500;

/** The last observed state of one cause of one component. */
export interface CauseState {
  cause: string;
  state: string;
  bad: boolean;
  /** A regression notification is open for this cause. */
  notified: boolean;
  /** What that notification said. */
  summary?: string;
  revision: number;
}

interface Row {
  entity_ref: string;
  cause: string;
  state: string;
  bad: boolean | number;
  notified: boolean | number;
  revision: number;
  summary: string | null;
  updated_at: string;
}

const fromRow = (row: Row): CauseState => ({
  cause: row.cause,
  state: row.state,
  bad: Boolean(row.bad),
  notified: Boolean(row.notified),
  revision: Number(row.revision),
  ...(row.summary ? { summary: row.summary } : {}),
});

/**
 * What the regression notifier last saw, per component and cause, in the plugin's database.
 * Every change is a compare-and-set on the row's revision, so that of two replicas (or a retried
 * task) seeing the same change only one wins it and notifies.
 */
export class NotificationStateStore {
  static async create(
    db: Knex,
    options: { skipMigrations?: boolean } = {},
  ): Promise<NotificationStateStore> {
    if (!options.skipMigrations) {
      await db.migrate.latest({ directory: MIGRATIONS });
    }
    return new NotificationStateStore(db);
  }

  private constructor(private readonly db: Knex) {}

  /** The states of the given components, by entity ref and cause. */
  async states(
    entityRefs: string[],
  ): Promise<Map<string, Map<string, CauseState>>> {
    const out = new Map<string, Map<string, CauseState>>();
    for (let i = 0; i < entityRefs.length; i += CHUNK) {
      const rows = await this.db<Row>('notification_state').whereIn(
        'entity_ref',
        entityRefs.slice(i, i + CHUNK),
      );
      for (const row of rows) {
        let causes = out.get(row.entity_ref);
        if (!causes) out.set(row.entity_ref, (causes = new Map()));
        causes.set(row.cause, fromRow(row));
      }
    }
    return out;
  }

  /**
   * Records a component's first observation: its baseline marker and every state, at once.
   * False when another run recorded it first (the marker exists).
   */
  async baseline(
    entityRef: string,
    states: Omit<CauseState, 'revision'>[],
    now: Date,
  ): Promise<boolean> {
    const at = now.toISOString();
    try {
      await this.db.transaction(async tx => {
        const marker = {
          cause: BASELINE_CAUSE,
          state: 'observed',
          bad: false,
          notified: false,
        };
        const rows = [marker, ...states].map(s =>
          this.toRow(entityRef, s, 1, at),
        );
        for (let i = 0; i < rows.length; i += 100) {
          await tx<Row>('notification_state').insert(rows.slice(i, i + 100));
        }
      });
      return true;
    } catch (error) {
      if (await this.exists(entityRef, BASELINE_CAUSE)) return false;
      throw error;
    }
  }

  /**
   * Moves a cause from `previous` (undefined: no row) to `next` (undefined: delete the row), if
   * nobody changed it since `previous` was read. True when this call made the change.
   */
  async compareAndSet(
    entityRef: string,
    cause: string,
    previous: CauseState | undefined,
    next: Omit<CauseState, 'revision' | 'cause'> | undefined,
    now: Date,
  ): Promise<boolean> {
    const table = () => this.db<Row>('notification_state');
    if (!previous) {
      if (!next) return true;
      try {
        await table().insert(
          this.toRow(entityRef, { ...next, cause }, 1, now.toISOString()),
        );
        return true;
      } catch (error) {
        if (await this.exists(entityRef, cause)) return false; // another run inserted it
        throw error;
      }
    }
    const where = {
      entity_ref: entityRef,
      cause,
      revision: previous.revision,
    };
    if (!next) return (await table().where(where).delete()) === 1;
    const {
      entity_ref: _e,
      cause: _c,
      ...changes
    } = this.toRow(
      entityRef,
      { ...next, cause },
      previous.revision + 1,
      now.toISOString(),
    );
    return (await table().where(where).update(changes)) === 1;
  }

  private async exists(entityRef: string, cause: string): Promise<boolean> {
    const row = await this.db<Row>('notification_state')
      .where({ entity_ref: entityRef, cause })
      .first();
    return row !== undefined;
  }

  private toRow(
    entityRef: string,
    state: Omit<CauseState, 'revision'>,
    revision: number,
    at: string,
  ): Row {
    return {
      entity_ref: entityRef,
      cause: state.cause,
      state: state.state,
      bad: state.bad,
      notified: state.notified,
      revision,
      summary: state.summary?.slice(0, 1024) ?? null,
      updated_at: at,
    };
  }
}
