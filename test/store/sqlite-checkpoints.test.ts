import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { test } from 'node:test';
import { sql } from 'kysely';
import { backstopCheckpointPages, startSqliteCheckpointer } from '../../src/store/sqlite-checkpoints.js';
import { createTestStore } from '../support/stores.js';
import { eventually } from '../support/waiting.js';

/* SQLite checkpoints on a thread of their own: the store's connection only appends to the WAL. */

test("the checkpoint thread copies the WAL into the file; the store's connection keeps only a backstop", async () => {
  const testStore = await createTestStore('sqlite');
  const { store } = testStore;
  const file = store.sqliteFile as string;
  const checkpointer = await startSqliteCheckpointer(store, 20);
  try {
    const setting = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store.db);
    assert.equal(setting.rows[0].wal_autocheckpoint, backstopCheckpointPages);
    await sql`create table filler (body blob)`.execute(store.db);
    const before = statSync(file).size;
    // About 2 MB: 500 pages, far below the backstop, so only the thread can have copied them.
    await sql`insert into filler (body)
      with recursive n(i) as (select 1 union all select i + 1 from n where i < 500)
      select randomblob(4000) from n`.execute(store.db);
    await eventually('the file holds the rows written to the WAL', async () =>
      statSync(file).size >= before + 2_000_000 ? true : undefined,
    );
  } finally {
    await checkpointer.close();
    await testStore.dispose();
  }
});

test('a store without a SQLite file has nothing to checkpoint', async () => {
  const testStore = await createTestStore('sqlite', { memory: true });
  const checkpointer = await startSqliteCheckpointer(testStore.store, 20);
  const setting = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(testStore.store.db);
  assert.equal(setting.rows[0].wal_autocheckpoint, 1000, "SQLite's default stays");
  await checkpointer.close();
  await testStore.dispose();
});
