import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrateToLatest, openDatabase, type StoreDatabase } from '../../src/store/database.js';

export type StoreKind = 'sqlite' | 'postgres';

/** Both stores: every worker and API suite runs against each. */
export const storeKinds: StoreKind[] = ['sqlite', 'postgres'];

export const postgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestStore {
  store: StoreDatabase;
  /** DATABASE_URL for a child process using the same data. */
  url: string;
  /** PostgreSQL schema for a child process (search_path); undefined for SQLite. */
  schema?: string;
  dispose(): Promise<void>;
}

/** A fresh, migrated store of the given kind: a temporary SQLite file (in memory with `memory`), or a new PostgreSQL schema. */
export async function createTestStore(kind: StoreKind, options: { memory?: boolean } = {}): Promise<TestStore> {
  if (kind === 'sqlite' && options.memory) {
    const store = openDatabase('sqlite::memory:');
    await migrateToLatest(store);
    return { store, url: 'sqlite::memory:', dispose: () => store.close() };
  }
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'alertgate-test-'));
    const url = `sqlite:${join(dir, 'test.db')}`;
    const store = openDatabase(url);
    await migrateToLatest(store);
    return {
      store,
      url,
      async dispose() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const store = openDatabase(postgresUrl, schema);
  // Kysely's migrator introspects every schema; another test file dropping its schema at that moment can make the
  // introspection fail ("schema … does not exist"). Only tests create and drop schemas concurrently: try again.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await migrateToLatest(store);
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
  return {
    store,
    url: postgresUrl,
    schema,
    async dispose() {
      await store.close();
      const cleanup = new pg.Client({ connectionString: postgresUrl });
      await cleanup.connect();
      await cleanup.query(`drop schema ${schema} cascade`);
      await cleanup.end();
    },
  };
}
