/* eslint-disable jest/no-standalone-expect -- each case runs inside it.each of HistoryStore.test.ts (SQLite) and HistoryStore.services.test.ts (PostgreSQL) */
import {
  MtlsMode,
  PostureDay,
} from '@mesh-security/plugin-mesh-security-common';
import { Knex } from 'knex';
import { ComponentDay, HistoryStore } from '../history/HistoryStore';

/** A component's day with two ports, STRICT on both when `mtls` is. */
export function day(
  date: string,
  mtls: MtlsMode,
  overrides: Partial<PostureDay> = {},
): PostureDay {
  return {
    day: date,
    mtls,
    strictPorts: mtls === 'STRICT' ? 2 : 0,
    totalPorts: 2,
    findingCounts: { critical: 0, high: 1, medium: 0, low: 0, info: 0 },
    pillars: {
      verifyExplicitly: mtls === 'STRICT' ? 'pass' : 'warn',
      leastPrivilege: 'pass',
      assumeBreach: 'fail',
      noCredentialLeakage: 'unknown',
    },
    ...overrides,
  };
}

const A = 'component:default/a';
const B = 'component:default/b';

/** A small deterministic generator (mulberry32), so a failing case can be replayed. */
function random(seed: number): () => number {
  let t = seed;
  return () => {
    t = (t + 0x6d2b79f5) | 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

const MODES: MtlsMode[] = ['STRICT', 'PERMISSIVE', 'PARTIAL', 'DISABLED'];

/** The overview's sums computed from the records themselves: the oracle for the store's. */
function expectedSums(
  records: ComponentDay[],
  refs: Set<string>,
  since: string,
  owner?: string,
) {
  const last = new Map<string, ComponentDay>();
  for (const r of records) last.set(`${r.posture.day} ${r.entityRef}`, r);
  const byDay = new Map<string, Record<string, number>>();
  for (const r of last.values()) {
    const { posture } = r;
    if (posture.day < since || !refs.has(r.entityRef)) continue;
    if (owner !== undefined && r.owner !== owner) continue;
    const sum = byDay.get(posture.day) ?? {
      components: 0,
      strictComponents: 0,
      strictPorts: 0,
      totalPorts: 0,
      high: 0,
      medium: 0,
    };
    sum.components++;
    sum.strictComponents += posture.mtls === 'STRICT' ? 1 : 0;
    sum.strictPorts += posture.strictPorts;
    sum.totalPorts += posture.totalPorts;
    sum.high += posture.findingCounts.high;
    sum.medium += posture.findingCounts.medium;
    byDay.set(posture.day, sum);
  }
  return [...byDay.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([d, sum]) => ({ day: d, ...sum }));
}

/** What the test compares of the store's sums. */
function actualSums(
  days: Awaited<ReturnType<HistoryStore['overviewHistory']>>,
) {
  return days.map(d => ({
    day: d.day,
    components: d.components,
    strictComponents: d.strictComponents,
    strictPorts: d.strictPorts,
    totalPorts: d.totalPorts,
    high: d.findingCounts.high,
    medium: d.findingCounts.medium,
  }));
}

/** The tables the statements run by `run` read from. */
async function tablesRead(db: Knex, run: () => Promise<unknown>) {
  const statements: string[] = [];
  const listener = (q: { sql: string }) => statements.push(q.sql);
  db.on('query', listener);
  try {
    await run();
  } finally {
    db.removeListener('query', listener);
  }
  return ['posture_owner_daily', 'posture_daily'].filter(table =>
    statements.some(sql =>
      new RegExp(`from [\`"]?${table}[\`"]?( |$)`).test(sql),
    ),
  );
}

/**
 * What the store must do on every database the backend supports: run by the SQLite unit test
 * and by the PostgreSQL services test against a fresh, empty database each time.
 */
export const historyStoreCases: Array<[string, (db: Knex) => Promise<void>]> = [
  [
    'keeps one row per component and day, the day’s last evaluation winning',
    async db => {
      const store = await HistoryStore.create(db);
      await store.record(
        [
          {
            entityRef: A,
            owner: 'group:default/team',
            posture: day('2026-12-02', 'PERMISSIVE'),
          },
        ],
        new Date('2026-12-02T08:00:00Z'),
      );
      await store.record(
        [
          {
            entityRef: A,
            owner: 'group:default/team',
            posture: day('2026-12-02', 'STRICT'),
          },
        ],
        new Date('2026-12-02T09:00:00Z'),
      );
      const { days } = await store.entityHistory(
        A,
        30,
        new Date('2026-12-02T10:00:00Z'),
      );
      expect(days).toEqual([day('2026-12-02', 'STRICT')]);
    },
  ],

  [
    'writes a mode change only when the mode changes, the first without "from"',
    async db => {
      const store = await HistoryStore.create(db);
      const at = (iso: string) => new Date(iso);
      expect(
        await store.record(
          [{ entityRef: A, posture: day('2026-11-01', 'PERMISSIVE') }],
          at('2026-11-01T10:00:00Z'),
        ),
      ).toBe(1);
      expect(
        await store.record(
          [{ entityRef: A, posture: day('2026-11-02', 'PERMISSIVE') }],
          at('2026-11-02T10:00:00Z'),
        ),
      ).toBe(0);
      expect(
        await store.record(
          [{ entityRef: A, posture: day('2026-11-20', 'STRICT') }],
          at('2026-11-20T10:00:00Z'),
        ),
      ).toBe(1);
      // The same evaluation recorded twice (a retried task, a second replica): nothing new.
      expect(
        await store.record(
          [{ entityRef: A, posture: day('2026-11-20', 'STRICT') }],
          at('2026-11-20T10:00:00Z'),
        ),
      ).toBe(0);
      const { changes } = await store.entityHistory(
        A,
        400,
        at('2026-12-02T10:00:00Z'),
      );
      expect(changes).toEqual([
        { at: '2026-11-01T10:00:00.000Z', to: 'PERMISSIVE' },
        { at: '2026-11-20T10:00:00.000Z', from: 'PERMISSIVE', to: 'STRICT' },
      ]);
    },
  ],

  [
    'prunes days beyond the retention but keeps each component’s latest change',
    async db => {
      const store = await HistoryStore.create(db);
      const record = (ref: string, date: string, mode: MtlsMode) =>
        store.record(
          [{ entityRef: ref, posture: day(date, mode) }],
          new Date(`${date}T12:00:00Z`),
        );
      await record(A, '2026-01-01', 'PERMISSIVE');
      await record(A, '2026-01-05', 'STRICT');
      await record(A, '2026-11-30', 'STRICT');
      await record(B, '2026-01-02', 'DISABLED');
      await store.prune(30, new Date('2026-12-02T00:00:00Z'));
      const a = await store.entityHistory(
        A,
        400,
        new Date('2026-12-02T00:00:00Z'),
      );
      expect(a.days.map(d => d.day)).toEqual(['2026-11-30']);
      // "STRICT since 2026-01-05" still answerable; the older change is gone.
      expect(a.changes).toEqual([
        { at: '2026-01-05T12:00:00.000Z', from: 'PERMISSIVE', to: 'STRICT' },
      ]);
      const b = await store.entityHistory(
        B,
        400,
        new Date('2026-12-02T00:00:00Z'),
      );
      expect(b.days).toEqual([]);
      expect(b.changes).toEqual([
        { at: '2026-01-02T12:00:00.000Z', to: 'DISABLED' },
      ]);
    },
  ],

  [
    'sums per day over the given components only, optionally of one owner',
    async db => {
      const store = await HistoryStore.create(db);
      const C = 'component:default/hidden';
      await store.record(
        [
          {
            entityRef: A,
            owner: 'group:default/team',
            posture: day('2026-12-01', 'STRICT'),
          },
          {
            entityRef: B,
            owner: 'group:default/other',
            posture: day('2026-12-01', 'PERMISSIVE'),
          },
          {
            entityRef: C,
            owner: 'group:default/team',
            posture: day('2026-12-01', 'STRICT'),
          },
        ],
        new Date('2026-12-01T10:00:00Z'),
      );
      await store.record(
        [
          {
            entityRef: A,
            owner: 'group:default/team',
            posture: day('2026-12-02', 'PERMISSIVE', { strictPorts: 1 }),
          },
        ],
        new Date('2026-12-02T10:00:00Z'),
      );
      const now = new Date('2026-12-02T11:00:00Z');
      expect(await store.overviewHistory([A, B], 30, now)).toEqual([
        {
          day: '2026-12-01',
          components: 2,
          strictComponents: 1,
          strictPorts: 2,
          totalPorts: 4,
          findingCounts: { critical: 0, high: 2, medium: 0, low: 0, info: 0 },
        },
        {
          day: '2026-12-02',
          components: 1,
          strictComponents: 0,
          strictPorts: 1,
          totalPorts: 2,
          findingCounts: { critical: 0, high: 1, medium: 0, low: 0, info: 0 },
        },
      ]);
      const team = await store.overviewHistory(
        [A, B],
        30,
        now,
        'group:default/team',
      );
      expect(team.map(d => [d.day, d.components])).toEqual([
        ['2026-12-01', 1],
        ['2026-12-02', 1],
      ]);
      // Only the last `days` days.
      expect(
        (await store.overviewHistory([A, B], 1, now)).map(d => d.day),
      ).toEqual(['2026-12-02']);
      expect(await store.overviewHistory([], 30, now)).toEqual([]);
    },
  ],

  [
    'seeds demo data once, labelled, never over a recorded history, replaced by a record',
    async db => {
      const store = await HistoryStore.create(db);
      const now = new Date('2026-12-02T10:00:00Z');
      // B already has a recorded history: the seed leaves it alone.
      await store.record(
        [{ entityRef: B, posture: day('2026-12-01', 'STRICT') }],
        new Date('2026-12-01T10:00:00Z'),
      );
      const days = [
        {
          entityRef: A,
          owner: 'group:default/team',
          posture: day('2026-11-30', 'PERMISSIVE'),
        },
        {
          entityRef: A,
          owner: 'group:default/team',
          posture: day('2026-12-01', 'STRICT'),
        },
        { entityRef: B, posture: day('2026-11-30', 'DISABLED') },
      ];
      const changes = [
        { entityRef: A, at: '2026-11-30T12:00:00.000Z', to: 'PERMISSIVE' },
        {
          entityRef: A,
          at: '2026-12-01T12:00:00.000Z',
          from: 'PERMISSIVE',
          to: 'STRICT',
        },
        { entityRef: B, at: '2026-11-30T12:00:00.000Z', to: 'DISABLED' },
      ] as const;
      expect(await store.seed(days, [...changes], now)).toEqual([A]);
      // Every start seeds again: nothing is duplicated, nothing changes.
      expect(await store.seed(days, [...changes], now)).toEqual([]);
      const a = await store.entityHistory(A, 30, now);
      expect(a.days).toEqual([
        { ...day('2026-11-30', 'PERMISSIVE'), demo: true },
        { ...day('2026-12-01', 'STRICT'), demo: true },
      ]);
      expect(a.changes).toEqual([
        { at: '2026-11-30T12:00:00.000Z', to: 'PERMISSIVE', demo: true },
        {
          at: '2026-12-01T12:00:00.000Z',
          from: 'PERMISSIVE',
          to: 'STRICT',
          demo: true,
        },
      ]);
      const b = await store.entityHistory(B, 30, now);
      expect(b.days).toEqual([day('2026-12-01', 'STRICT')]);
      expect(b.changes).toEqual([
        { at: '2026-12-01T10:00:00.000Z', to: 'STRICT' },
      ]);
      expect(
        (await store.overviewHistory([A, B], 30, now)).map(d => [
          d.day,
          d.components,
          d.demoComponents,
        ]),
      ).toEqual([
        ['2026-11-30', 1, 1],
        ['2026-12-01', 2, 1],
      ]);
      // The recorder continues where the seed ends (same mode: no change) and a recorded day
      // replaces a seeded one.
      expect(
        await store.record(
          [{ entityRef: A, posture: day('2026-12-01', 'STRICT') }],
          now,
        ),
      ).toBe(0);
      const recorded = await store.entityHistory(A, 30, now);
      expect(recorded.days[1]).toEqual(day('2026-12-01', 'STRICT'));
    },
  ],

  [
    'answers the same sums from the owner summaries as from the components, hidden ones excluded',
    async db => {
      for (const seed of [1, 2, 3]) {
        const next = random(seed);
        const pick = <T>(items: T[]) =>
          items[Math.floor(next() * items.length)];
        const refs = Array.from(
          { length: 12 },
          (_, i) => `component:default/s${seed}-c${i}`,
        );
        const owners = [
          'group:default/red',
          'group:default/blue',
          undefined, // no spec.owner
        ];
        const store = await HistoryStore.create(db);
        const records: ComponentDay[] = [];
        // 20 days, each recorded in one or two runs (a later run of the day overwrites), with
        // components missing some days and owners changing now and then.
        for (let d = 0; d < 20; d++) {
          const date = `2026-11-${String(d + 1).padStart(2, '0')}`;
          for (let run = 0; run < (next() < 0.3 ? 2 : 1); run++) {
            const batch: ComponentDay[] = refs
              .filter(() => next() < 0.8)
              .map(entityRef => {
                const owner = pick(owners);
                return {
                  entityRef,
                  ...(owner ? { owner } : {}),
                  posture: day(date, pick(MODES), {
                    findingCounts: {
                      critical: 0,
                      high: Math.floor(next() * 3),
                      medium: Math.floor(next() * 4),
                      low: 0,
                      info: 0,
                    },
                  }),
                };
              });
            await store.record(batch, new Date(`${date}T0${run + 8}:00:00Z`));
            records.push(...batch);
          }
        }
        const now = new Date('2026-11-20T12:00:00Z');
        const all = new Set(refs);
        const [hidden, ...rest] = refs;
        const visible = new Set(rest);
        for (const owner of [undefined, ...owners.filter(Boolean)]) {
          for (const days of [1, 7, 30]) {
            const since = `2026-11-${String(Math.max(1, 21 - days)).padStart(
              2,
              '0',
            )}`;
            let answer: Awaited<ReturnType<HistoryStore['overviewHistory']>> =
              [];
            const read = await tablesRead(db, async () => {
              answer = await store.overviewHistory(refs, days, now, owner);
            });
            const label = `seed ${seed}, owner ${owner}, ${days} days`;
            expect([label, actualSums(answer)]).toEqual([
              label,
              expectedSums(records, all, since, owner),
            ]);
            // Every component readable: one row per owner and day is enough.
            expect([label, read]).toEqual([label, ['posture_owner_daily']]);
            answer = await store.overviewHistory(rest, days, now, owner);
            expect([label, actualSums(answer)]).toEqual([
              label,
              expectedSums(records, visible, since, owner),
            ]);
          }
        }
        // The hidden component counted only where it has days: its owners' sums read the rows.
        expect(
          await tablesRead(db, () => store.overviewHistory(rest, 30, now)),
        ).toEqual(['posture_daily']);
        expect(hidden).toBeDefined();
        await db('posture_daily').delete();
        await db('posture_owner_daily').delete();
        await db('posture_owner_members').delete();
        await db('posture_mode_changes').delete();
      }
    },
  ],

  [
    'fills the owner summaries from the days recorded before them (an upgrade)',
    async db => {
      const store = await HistoryStore.create(db);
      const now = new Date('2026-12-02T10:00:00Z');
      await store.record(
        [
          {
            entityRef: A,
            owner: 'group:default/team',
            posture: day('2026-12-02', 'STRICT'),
          },
          { entityRef: B, posture: day('2026-12-02', 'PERMISSIVE') },
        ],
        now,
      );
      const before = await store.overviewHistory([A, B], 30, now);
      // As a database written before the summaries existed.
      await db('posture_owner_daily').delete();
      await db('posture_owner_members').delete();
      const upgraded = await HistoryStore.create(db);
      let after: typeof before = [];
      expect(
        await tablesRead(db, async () => {
          after = await upgraded.overviewHistory([A, B], 30, now);
        }),
      ).toEqual(['posture_owner_daily']);
      expect(after).toEqual(before);
      expect(before[0]).toMatchObject({ components: 2, strictComponents: 1 });
    },
  ],

  [
    'prunes the owner summaries with the days',
    async db => {
      const store = await HistoryStore.create(db);
      await store.record(
        [
          {
            entityRef: A,
            owner: 'group:default/team',
            posture: day('2026-01-01', 'STRICT'),
          },
        ],
        new Date('2026-01-01T12:00:00Z'),
      );
      await store.record(
        [
          {
            entityRef: B,
            owner: 'group:default/team',
            posture: day('2026-11-30', 'STRICT'),
          },
        ],
        new Date('2026-11-30T12:00:00Z'),
      );
      const now = new Date('2026-12-02T00:00:00Z');
      await store.prune(30, now);
      expect(
        (await db('posture_owner_daily').select('day')).map(r => r.day),
      ).toEqual(['2026-11-30']);
      expect(
        (await db('posture_owner_members').select('entity_ref')).map(
          r => r.entity_ref,
        ),
      ).toEqual([B]);
      // A, gone from the range and the catalog, no longer forces the per-component sums.
      expect(
        await tablesRead(db, () =>
          store.overviewHistory([B], 400, now, 'group:default/team'),
        ),
      ).toEqual(['posture_owner_daily']);
    },
  ],
];
