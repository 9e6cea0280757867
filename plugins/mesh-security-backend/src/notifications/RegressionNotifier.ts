import { LoggerService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotificationPayload } from '@backstage/plugin-notifications-common';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { EntityPosture } from '@mesh-security/plugin-mesh-security-common';
import { createHash } from 'node:crypto';
import { NotificationSettings, NOTIFICATIONS_ANNOTATION } from './config';
import { BASELINE_CAUSE, CauseObservation, componentCauses } from './causes';
import { CauseState, NotificationStateStore } from './NotificationStateStore';
import { yieldEvery } from '../snapshots/slices';

/** The notifications' topic (the notifications page filters by it). */
export const NOTIFICATION_TOPIC = 'Mesh Security';

/** What the notifier reads and where it sends. */
export interface RegressionNotifierOptions {
  store: NotificationStateStore;
  /** Every annotated component (the entity directory's listing). */
  components: () => Promise<Entity[]>;
  /** A component's posture, as the Security tab shows it. */
  posture: (entity: Entity) => Promise<EntityPosture>;
  notifications: NotificationService;
  logger: LoggerService;
  settings: Pick<
    NotificationSettings,
    'severityThreshold' | 'certificateWarningDays'
  >;
  now?: () => Date;
}

/** What one run did. */
export interface RegressionNotifierRun {
  /** Components compared with their last state. */
  checked: number;
  /** Components not looked at: partial or provisional answers, or no workload. */
  skipped: number;
  /** Components seen for the first time: their state was recorded, nothing sent. */
  baselined: number;
  /** Notifications sent (regressions and resolutions). */
  sent: number;
  /** Notifications that could not be sent (tried again on the next run). */
  failed: number;
}

/**
 * The notification scope of a cause of a component: notifications of the same scope (and
 * origin) update each other, so a resolution replaces its regression. Hashed to stay within the
 * notifications backend's 255 characters.
 */
export function notificationScope(entityRef: string, cause: string): string {
  const hash = createHash('sha256')
    .update(`${entityRef}\n${cause}`)
    .digest('hex');
  return `mesh-security:${hash}`;
}

/** The component's Security tab (packages/app's entity page route `/mesh-security`). */
export function securityTabLink(entity: Entity): string {
  const { kind } = entity;
  const namespace = entity.metadata.namespace ?? 'default';
  return `/catalog/${[
    namespace,
    kind.toLocaleLowerCase('en-US'),
    entity.metadata.name,
  ]
    .map(encodeURIComponent)
    .join('/')}/mesh-security`;
}

/** `spec.owner` as an entity ref (kind Group and the component's namespace by default). */
function ownerRef(entity: Entity): string | undefined {
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    );
  } catch {
    return undefined;
  }
}

/** Why a component's answer is not a state to compare, or undefined when it is one. */
function notComparable(posture: EntityPosture): string | undefined {
  if (posture.partial) return 'partial';
  if (posture.clusters.some(c => !c.accessGraphReady)) return 'provisional';
  // Nothing matches the component's annotations: nothing to tell about it (and no reason to
  // call its earlier problems resolved).
  if (posture.workloads.length === 0) return 'no workload';
  return undefined;
}

function resolvedDescription(current: CauseObservation | undefined): string {
  if (!current) return 'It is no longer reported.';
  return `It is ${current.state} now.`;
}

/**
 * Tells a component's owner when its posture gets worse (docs/backend.md "Notifications on
 * regressions"), once per change, and again ("Resolved", same scope) when it recovers.
 *
 * Each run compares every component's complete answer with the state last recorded in the
 * plugin's database. A component's first observation is its baseline: recorded, never notified.
 * Partial or provisional answers are skipped (no regression and no resolution from missing
 * data). Every change is claimed with a compare-and-set before it is sent, so a change seen by
 * two replicas, or by a retried run, is notified once; a send that fails releases its claim.
 */
export class RegressionNotifier {
  private readonly now: () => Date;

  constructor(private readonly options: RegressionNotifierOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async run(signal?: AbortSignal): Promise<RegressionNotifierRun> {
    const { store, logger, settings } = this.options;
    const result: RegressionNotifierRun = {
      checked: 0,
      skipped: 0,
      baselined: 0,
      sent: 0,
      failed: 0,
    };
    const comparable: Array<{
      entity: Entity;
      entityRef: string;
      causes: ReturnType<typeof componentCauses>;
    }> = [];
    // Postures are answered from memory: yield so that page views are not held for seconds.
    const pause = yieldEvery(20);
    for (const entity of await this.options.components()) {
      await pause();
      if (signal?.aborted) return result;
      const posture = await this.options.posture(entity);
      if (notComparable(posture)) {
        result.skipped++;
        continue;
      }
      comparable.push({
        entity,
        entityRef: stringifyEntityRef(entity),
        causes: componentCauses(posture, {
          componentName: entity.metadata.title ?? entity.metadata.name,
          ...settings,
        }),
      });
    }
    const states = await store.states(comparable.map(c => c.entityRef));
    let firstError: string | undefined;
    const baselined: string[] = [];
    for (const { entity, entityRef, causes } of comparable) {
      if (signal?.aborted) break;
      const previous = states.get(entityRef);
      const now = this.now();
      if (!previous?.has(BASELINE_CAUSE)) {
        await store.baseline(
          entityRef,
          [...causes.observed].map(([cause, o]) => ({
            cause,
            state: o.state,
            bad: o.bad,
            notified: false,
          })),
          now,
        );
        result.baselined++;
        baselined.push(entityRef);
        continue;
      }
      result.checked++;
      const recipient = ownerRef(entity);
      const optOut = entity.metadata.annotations?.[NOTIFICATIONS_ANNOTATION];
      if (
        optOut !== undefined &&
        optOut !== 'disabled' &&
        optOut !== 'enabled'
      ) {
        logger.warn(
          `Mesh Security notifications: ${entityRef} has ${NOTIFICATIONS_ANNOTATION}: '${optOut}'; expected 'disabled' or 'enabled' (notifications stay on)`,
        );
      }
      const mayNotify = optOut !== 'disabled' && recipient !== undefined;
      const keys = new Set([...causes.observed.keys(), ...previous.keys()]);
      keys.delete(BASELINE_CAUSE);
      for (const cause of keys) {
        if (causes.unknown.has(cause)) continue;
        const before = previous.get(cause);
        const current = causes.observed.get(cause);
        if (!before && !current) continue;
        if (before && current && before.state === current.state) continue;
        const bad = current?.bad ?? false;
        let send: 'regression' | 'resolved' | undefined;
        if (bad && (before ? !before.bad : current!.newIsRegression)) {
          send = 'regression';
        } else if (!bad && before?.bad && before.notified) {
          send = 'resolved';
        }
        const willSend = send !== undefined && mayNotify;
        let next: Omit<CauseState, 'revision' | 'cause'> | undefined;
        if (current) {
          // Open after a regression that is sent, closed by a resolution, else as it was.
          let notified = before?.notified ?? false;
          if (send === 'regression') notified = willSend;
          else if (send === 'resolved') notified = false;
          const summary =
            send === 'regression' ? current.title : before?.summary;
          next = {
            state: current.state,
            bad: current.bad,
            notified,
            ...(summary && notified ? { summary } : {}),
          };
        }
        if (!(await store.compareAndSet(entityRef, cause, before, next, now))) {
          continue; // another run made this change (and notified it)
        }
        if (!willSend) continue;
        const payload: NotificationPayload = {
          title:
            send === 'regression'
              ? current!.title
              : `Resolved: ${before?.summary ?? cause}`,
          description:
            send === 'regression'
              ? current!.description
              : resolvedDescription(current),
          link: securityTabLink(entity),
          severity: send === 'regression' ? current!.severity : 'normal',
          topic: NOTIFICATION_TOPIC,
          scope: notificationScope(entityRef, cause),
        };
        try {
          await this.options.notifications.send({
            recipients: { type: 'entity', entityRef: recipient! },
            payload,
          });
          result.sent++;
        } catch (error) {
          result.failed++;
          firstError ??= (error as Error).message;
          // Release the claim so that the next run tries again.
          const claimed: CauseState | undefined = next && {
            ...next,
            cause,
            revision: before ? before.revision + 1 : 1,
          };
          await store.compareAndSet(
            entityRef,
            cause,
            claimed,
            before && {
              state: before.state,
              bad: before.bad,
              notified: before.notified,
              ...(before.summary ? { summary: before.summary } : {}),
            },
            now,
          );
        }
      }
    }
    if (result.failed) {
      logger.warn(
        `Mesh Security notifications: ${result.failed} notification(s) could not be sent and will be tried again: ${firstError}`,
      );
    }
    if (baselined.length) {
      // Names the components (the first 20), so that an operator, or the e2e suite, can tell
      // from when on a component's changes are notified.
      logger.info(
        `Mesh Security notifications: first seen, recorded as the baseline: ${baselined
          .slice(0, 20)
          .join(', ')}${
          baselined.length > 20 ? ` and ${baselined.length - 20} more` : ''
        }`,
      );
    }
    if (result.sent) {
      logger.info(
        `Mesh Security notifications: ${result.sent} sent; ${result.checked} component(s) compared, ${result.skipped} skipped (partial, provisional or without workloads)`,
      );
    }
    return result;
  }
}
