/*
 * The history store on a real PostgreSQL (run by .ci/test-services.sh, which starts a throwaway
 * server from Debian's packages and sets MESH_SECURITY_TEST_POSTGRES): the same contract as on
 * SQLite, each test on a fresh database.
 */
import knexFactory, { Knex } from 'knex';
import { historyStoreCases } from '../__testUtils__/historyStoreContract';

const connectionString = process.env.MESH_SECURITY_TEST_POSTGRES;
if (!connectionString) {
  throw new Error(
    'MESH_SECURITY_TEST_POSTGRES is not set: run this suite with `npm run test:services`, which starts PostgreSQL and sets it',
  );
}

describe('HistoryStore on PostgreSQL', () => {
  jest.setTimeout(60_000);
  const admin = knexFactory({ client: 'pg', connection: connectionString });
  let db: Knex;
  let name: string;
  let n = 0;

  beforeEach(async () => {
    name = `mesh_security_history_${process.pid}_${n++}`;
    await admin.raw('create database ??', [name]);
    db = knexFactory({
      client: 'pg',
      connection: `${connectionString}/${name}`,
    });
  });
  afterEach(async () => {
    await db.destroy();
    await admin.raw('drop database ??', [name]);
  });
  afterAll(async () => {
    await admin.destroy();
  });

  // eslint-disable-next-line jest/expect-expect -- the cases assert
  it.each(historyStoreCases)('%s', async (_name, run) => run(db));
});
