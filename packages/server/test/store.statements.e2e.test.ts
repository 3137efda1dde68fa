import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/db/database';
import { createTestDatabase, DATABASES, type TestDatabase } from './support/databases';

describe.each(DATABASES)('the store on %s', (name) => {
  let database: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    database = await createTestDatabase(name);
    store = openStore({ dataDir: database.dataDir, databaseUrl: database.databaseUrl, poolSize: 1 });
    await sql`create table notes (id integer primary key, body text not null)`.execute(store.db);
    await sql`insert into notes (id, body) values (1, 'one'), (2, 'two')`.execute(store.db);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  function read(id: number) {
    return sql<Record<string, unknown>>`select * from notes where id = ${id}`.execute(store.db);
  }

  it('runs the same parameterized statement again with other values', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await read(1)).rows).toEqual([{ id: 1, body: 'one' }]);
      expect((await read(2)).rows).toEqual([{ id: 2, body: 'two' }]);
    }
  });

  it('recovers when a table changes under a statement it already prepared', async () => {
    await read(1);
    await sql`alter table notes add column tag text`.execute(store.db);
    // PostgreSQL refuses the statement prepared for the old columns once, then it is prepared anew.
    const first = await read(1).then(
      (result) => result.rows,
      (error: unknown) => error,
    );
    if (name === 'postgres') expect((first as { code?: string }).code).toBe('0A000');
    expect((await read(1)).rows).toEqual([{ id: 1, body: 'one', tag: null }]);
  });
});
