import {
  EntityPostureHistory,
  OverviewHistory,
} from '@mesh-security/plugin-mesh-security-common';
import { HistorySettings } from './config';
import { HistoryStore } from './HistoryStore';

/** Days of the overview's history when the query does not say. */
export const DEFAULT_OVERVIEW_HISTORY_DAYS = 90;

/** What the history routes answer; with history disabled, empty answers that say so. */
export class HistoryService {
  constructor(
    private readonly settings: HistorySettings,
    private readonly store: HistoryStore | undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async entity(entityRef: string): Promise<EntityPostureHistory> {
    const { retentionDays } = this.settings;
    if (!this.store) {
      return {
        entityRef,
        enabled: false,
        retentionDays,
        days: [],
        changes: [],
      };
    }
    const { days, changes } = await this.store.entityHistory(
      entityRef,
      retentionDays,
      this.now(),
    );
    const demo = days.some(d => d.demo) || changes.some(c => c.demo);
    return {
      entityRef,
      enabled: true,
      retentionDays,
      days,
      changes,
      ...(demo ? { demo } : {}),
    };
  }

  /** The sums over `entityRefs` (the components the caller may read). */
  async overview(
    entityRefs: string[],
    query: { owner?: string; days?: number },
  ): Promise<OverviewHistory> {
    const { retentionDays } = this.settings;
    const owner = query.owner ? { owner: query.owner } : {};
    if (!this.store) {
      return { enabled: false, retentionDays, ...owner, days: [] };
    }
    const days = Math.min(
      query.days ?? DEFAULT_OVERVIEW_HISTORY_DAYS,
      retentionDays,
    );
    const sums = await this.store.overviewHistory(
      entityRefs,
      days,
      this.now(),
      query.owner,
    );
    const demo = sums.some(d => d.demoComponents);
    return {
      enabled: true,
      retentionDays,
      ...owner,
      days: sums,
      ...(demo ? { demo } : {}),
    };
  }
}
