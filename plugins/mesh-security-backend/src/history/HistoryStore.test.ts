import knexFactory, { Knex } from 'knex';
import { HistoryStore } from './HistoryStore';
import { day, historyStoreCases } from '../__testUtils__/historyStoreContract';

describe('HistoryStore on SQLite', () => {
  let db: Knex;
  beforeEach(() => {
    db = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
    });
  });
  afterEach(async () => {
    await db.destroy();
  });

  // eslint-disable-next-line jest/expect-expect -- the cases assert
  it.each(historyStoreCases)('%s', async (_name, run) => run(db));

  it('sums more components than one IN list holds (SQLite: 999 variables)', async () => {
    const store = await HistoryStore.create(db);
    const now = new Date('2026-12-02T10:00:00Z');
    const refs = Array.from(
      { length: 1_234 },
      (_, i) => `component:default/c${i}`,
    );
    await store.record(
      refs.map((entityRef, i) => ({
        entityRef,
        owner: i % 2 ? 'group:default/odd' : 'group:default/even',
        posture: day('2026-12-02', i % 4 === 0 ? 'STRICT' : 'PERMISSIVE'),
      })),
      now,
    );
    const [all] = await store.overviewHistory(refs, 7, now);
    expect(all).toMatchObject({
      day: '2026-12-02',
      components: 1_234,
      strictComponents: 309,
      strictPorts: 618,
      totalPorts: 2_468,
    });
    expect(all.findingCounts.high).toBe(1_234);
    const [odd] = await store.overviewHistory(
      refs,
      7,
      now,
      'group:default/odd',
    );
    expect(odd.components).toBe(617);
    expect(odd.strictComponents).toBe(0);
  });

  it('keeps what the migration created when it runs again (a second replica starting)', async () => {
    await HistoryStore.create(db);
    const again = await HistoryStore.create(db);
    await again.record(
      [
        {
          entityRef: 'component:default/a',
          posture: day('2026-12-02', 'STRICT'),
        },
      ],
      new Date('2026-12-02T10:00:00Z'),
    );
    expect(await db('posture_daily').count({ n: '*' })).toEqual([{ n: 1 }]);
  });
});
