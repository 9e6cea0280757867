import { LoggerService } from '@backstage/backend-plugin-api';
import { setTimeout as sleep } from 'node:timers/promises';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  EntityPosture,
  PostureDay,
} from '@mesh-security/plugin-mesh-security-common';
import { yieldEvery } from '../snapshots/slices';
import { ComponentDay, HistoryStore, utcDay } from './HistoryStore';

/** What the recorder reads: annotated components and their posture (no Kubernetes call). */
export interface HistoryRecorderOptions {
  store: HistoryStore;
  /** Every annotated component (the entity directory's listing). */
  components: () => Promise<Entity[]>;
  /** A component's posture, as the Security tab shows it. */
  posture: (entity: Entity) => Promise<EntityPosture>;
  logger: LoggerService;
  retentionDays: number;
  now?: () => Date;
}

/** The day's record of a component's posture. */
export function postureDay(posture: EntityPosture, day: string): PostureDay {
  const ports = posture.workloads.flatMap(w => w.ports);
  const { scorecard } = posture;
  return {
    day,
    mtls: posture.mtls,
    strictPorts: ports.filter(p => p.mtls === 'STRICT').length,
    totalPorts: ports.length,
    findingCounts: { ...posture.findingCounts },
    pillars: {
      verifyExplicitly: scorecard.verifyExplicitly.status,
      leastPrivilege: scorecard.leastPrivilege.status,
      assumeBreach: scorecard.assumeBreach.status,
      noCredentialLeakage: scorecard.noCredentialLeakage.status,
    },
  };
}

/**
 * Records every annotated component's posture for today and its mode changes, then prunes what
 * is older than the retention. A component whose answer is partial (a cluster unreachable,
 * stale, not read yet or partly unreadable) or provisional (an access graph still building) is
 * not recorded this time: history keeps only what was known, so a backend restart or an outage
 * never shows as a drop to UNKNOWN.
 */
export class HistoryRecorder {
  private readonly now: () => Date;

  constructor(private readonly options: HistoryRecorderOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async run(): Promise<{ recorded: number; skipped: number; changes: number }> {
    const { store, logger } = this.options;
    const now = this.now();
    const day = utcDay(now);
    const records: ComponentDay[] = [];
    let skipped = 0;
    // Postures are answered from memory, so the awaits below never leave the microtask queue:
    // without yielding, 1,000 components would hold the event loop for seconds.
    const pause = yieldEvery(20);
    for (const entity of await this.options.components()) {
      await pause();
      const posture = await this.options.posture(entity);
      // Until a cluster's access graph is complete its answers err on the side of more
      // findings (docs/backend.md): not a state to keep.
      if (posture.partial || posture.clusters.some(c => !c.accessGraphReady)) {
        skipped++;
        continue;
      }
      const owner = entity.spec?.owner;
      records.push({
        entityRef: stringifyEntityRef(entity),
        ...(typeof owner === 'string' ? { owner } : {}),
        posture: postureDay(posture, day),
      });
    }
    const changes = await store.record(records, now);
    await store.prune(this.options.retentionDays, now);
    logger.info(
      `Mesh Security history: recorded ${
        records.length
      } component(s) for ${day}${
        skipped ? `; ${skipped} skipped (partial data)` : ''
      }`,
    );
    return { recorded: records.length, skipped, changes };
  }
}

/**
 * Runs `record` until it records something, at most `attempts` times, waiting `waitMs` between
 * tries: right after a start the clusters are usually not read yet (every answer is partial) or
 * the catalog has not listed its components yet. Returns early when `signal` aborts (the
 * backend stops, or the task times out).
 */
export async function recordWhenKnown(
  record: () => Promise<{ recorded: number }>,
  signal?: AbortSignal,
  options: { attempts?: number; waitMs?: number } = {},
): Promise<void> {
  const { attempts = 20, waitMs = 30_000 } = options;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if ((await record()).recorded > 0) return;
    if (attempt === attempts - 1) return;
    try {
      await sleep(waitMs, undefined, { signal });
    } catch {
      return; // aborted
    }
  }
}
