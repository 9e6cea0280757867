/* eslint-disable jest/no-standalone-expect -- each case runs inside it.each of HistoryStore.test.ts (SQLite) and HistoryStore.services.test.ts (PostgreSQL) */
import {
  MtlsMode,
  PostureDay,
} from '@mesh-security/plugin-mesh-security-common';
import { Knex } from 'knex';
import { HistoryStore } from '../history/HistoryStore';

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
];
