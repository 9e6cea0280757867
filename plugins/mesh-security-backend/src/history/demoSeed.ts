import {
  MTLS_MODES,
  PostureDay,
  SEVERITIES,
} from '@mesh-security/plugin-mesh-security-common';
import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  ComponentDay,
  HistoryStore,
  SeededModeChange,
  utcDay,
} from './HistoryStore';

/** The largest seed file read (the demo's is 6 kB). */
const MAX_SEED_BYTES = 1024 * 1024;

const count = z.number().int().min(0).max(1_000_000);
const pillar = z.enum(['pass', 'warn', 'fail', 'unknown']);
const pillars = z
  .object({
    verifyExplicitly: pillar,
    leastPrivilege: pillar,
    assumeBreach: pillar,
    noCredentialLeakage: pillar,
  })
  .strict();
const event = z
  .object({
    /** Days before the day of the start (1: yesterday; today is recorded, never seeded). */
    daysAgo: z.number().int().min(1).max(3660),
    note: z.string().max(500).optional(),
    mtls: z.enum(MTLS_MODES).optional(),
    ports: z
      .object({ strict: count, total: count })
      .strict()
      .refine(p => p.strict <= p.total, 'strict must not exceed total')
      .optional(),
    findings: z
      .object(
        Object.fromEntries(SEVERITIES.map(s => [s, count.optional()])) as {
          [K in (typeof SEVERITIES)[number]]: z.ZodOptional<typeof count>;
        },
      )
      .strict()
      .optional(),
    pillars: pillars.partial().optional(),
  })
  .strict();
const seedFile = z
  .object({
    components: z
      .array(
        z
          .object({
            entityRef: z
              .string()
              .max(512)
              .regex(
                /^[a-z0-9._-]+:[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/,
                'a full entity reference, e.g. component:default/payments-api',
              ),
            owner: z.string().min(1).max(512).optional(),
            events: z.array(event).min(1).max(200),
          })
          .strict()
          .superRefine((component, ctx) => {
            const [first] = component.events;
            if (!first) return;
            for (const key of ['mtls', 'ports', 'findings'] as const) {
              if (first[key] === undefined) {
                ctx.addIssue({
                  code: z.ZodIssueCode.custom,
                  path: ['events', 0, key],
                  message: `the first event must give ${key}`,
                });
              }
            }
            if (!pillars.safeParse(first.pillars).success) {
              ctx.addIssue({
                code: z.ZodIssueCode.custom,
                path: ['events', 0, 'pillars'],
                message: 'the first event must give all four pillars',
              });
            }
            component.events.forEach((e, i) => {
              if (i > 0 && e.daysAgo >= component.events[i - 1].daysAgo) {
                ctx.addIssue({
                  code: z.ZodIssueCode.custom,
                  path: ['events', i, 'daysAgo'],
                  message: 'events must be oldest first (daysAgo decreasing)',
                });
              }
            });
          }),
      )
      .min(1)
      .max(10_000)
      .superRefine((components, ctx) => {
        const seen = new Set<string>();
        components.forEach((c, i) => {
          if (seen.has(c.entityRef)) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: [i, 'entityRef'],
              message: `${c.entityRef} is listed twice`,
            });
          }
          seen.add(c.entityRef);
        });
      }),
  })
  .strict();

/** A demo history seed file (`meshSecurity.history.demoSeed`), validated. */
export type DemoSeed = z.infer<typeof seedFile>;

/** Reads and validates a seed file; throws naming the file and the first problem. */
export function readDemoSeed(file: string): DemoSeed {
  const what = `meshSecurity.history.demoSeed (${file})`;
  let text: string;
  try {
    const { size } = fs.statSync(file);
    if (size > MAX_SEED_BYTES) {
      throw new Error(`larger than ${MAX_SEED_BYTES} bytes`);
    }
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${what} cannot be read: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text, { maxAliasCount: 0 });
  } catch (error) {
    throw new Error(`${what} is not valid YAML: ${(error as Error).message}`);
  }
  const result = seedFile.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `${what} is invalid: ${issue.path.join('.') || '(top)'}: ${
        issue.message
      }`,
    );
  }
  return result.data;
}

const DAY_MS = 86_400_000;

/**
 * The days and mode changes the events describe, for the days before `now`'s (UTC) within
 * `retentionDays`: each day holds the state of the latest event at or before it; a change is
 * written at noon (UTC) of each event that changes the mode (the first without `from`).
 * Deterministic: the same file and day give the same rows.
 */
export function demoSeedRows(
  seed: DemoSeed,
  now: Date,
  retentionDays: number,
): { days: ComponentDay[]; changes: SeededModeChange[] } {
  const today = Date.parse(`${utcDay(now)}T00:00:00.000Z`);
  const dayOf = (daysAgo: number) => utcDay(new Date(today - daysAgo * DAY_MS));
  const days: ComponentDay[] = [];
  const changes: SeededModeChange[] = [];
  for (const component of seed.components) {
    let state: Omit<PostureDay, 'day'> | undefined;
    const { events } = component;
    for (let e = 0; e < events.length; e++) {
      const step = events[e];
      const previous = state;
      const ports = step.ports ?? {
        strict: previous!.strictPorts,
        total: previous!.totalPorts,
      };
      state = {
        mtls: step.mtls ?? previous!.mtls,
        strictPorts: ports.strict,
        totalPorts: ports.total,
        findingCounts: step.findings
          ? (Object.fromEntries(
              SEVERITIES.map(s => [s, step.findings![s] ?? 0]),
            ) as PostureDay['findingCounts'])
          : previous!.findingCounts,
        pillars: {
          ...previous?.pillars,
          ...step.pillars,
        } as PostureDay['pillars'],
      };
      if (state.mtls !== previous?.mtls) {
        changes.push({
          entityRef: component.entityRef,
          at: `${dayOf(step.daysAgo)}T12:00:00.000Z`,
          ...(previous ? { from: previous.mtls } : {}),
          to: state.mtls,
        });
      }
      const until = e + 1 < events.length ? events[e + 1].daysAgo : 0;
      for (let ago = step.daysAgo; ago > until; ago--) {
        if (ago >= retentionDays) continue;
        days.push({
          entityRef: component.entityRef,
          ...(component.owner ? { owner: component.owner } : {}),
          posture: { day: dayOf(ago), ...state },
        });
      }
    }
  }
  return { days, changes };
}

/**
 * Seeds the store from the events, for components that have no history yet (runs on every
 * start; a component seeded or recorded before is left alone). Returns the components seeded.
 */
export async function seedDemoHistory(
  store: HistoryStore,
  seed: DemoSeed,
  options: { now: Date; retentionDays: number },
): Promise<string[]> {
  const { days, changes } = demoSeedRows(
    seed,
    options.now,
    options.retentionDays,
  );
  return store.seed(days, changes, options.now);
}
