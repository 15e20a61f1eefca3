import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { migrationProvider, type Dialect } from './migrations.js';
import { missingSchemaError } from './schema-message.js';
import type { Database } from './tables.js';

export interface StoreDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Human-readable location without credentials. */
  location: string;
  close(): Promise<void>;
}

/** better-sqlite3 prepares a statement per call through Kysely; caching them saves most of the per-query cost. */
function cachingSqlite(database: BetterSqlite3.Database): ConstructorParameters<typeof SqliteDialect>[0]['database'] {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare: (query: string) => {
      let statement = statements.get(query);
      if (!statement) {
        statement = database.prepare(query);
        if (statements.size > 500) statements.clear();
        statements.set(query, statement);
      }
      return statement;
    },
  };
}

function openSqlite(url: string): StoreDatabase {
  const file = url.replace(/^sqlite:(\/\/)?/, '') || './data/alertgate.db';
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingSqlite(database) }) });
  return { db, dialect: 'sqlite', location: `sqlite:${file}`, close: () => db.destroy() };
}

/** PostgreSQL bigint columns hold epoch milliseconds and counts: safe as JS numbers. */
const typeParsers = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

function openPostgres(url: string, schema: string | undefined): StoreDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: typeParsers,
    ...(schema && { options: `-c search_path=${schema}` }),
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const parsed = new URL(url);
  return { db, dialect: 'postgres', location: `postgres://${parsed.host}${parsed.pathname}`, close: () => db.destroy() };
}

/**
 * Opens the store named by DATABASE_URL: `sqlite:<file>` (default) or `postgres://…`.
 * `schema` selects a PostgreSQL schema (tests give each file its own).
 */
export function openDatabase(url: string, schema?: string): StoreDatabase {
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, schema);
  if (url.startsWith('sqlite:') || url === ':memory:') return openSqlite(url);
  throw new Error(`DATABASE_URL must start with sqlite: or postgres://, got ${JSON.stringify(url.split(':')[0])}`);
}

/** Brings the schema up to date; safe when several processes start at once (Kysely's migration lock). */
export async function migrateToLatest(store: StoreDatabase): Promise<void> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one is ours.
  const schema = store.dialect === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]?.schema : undefined;
  if (store.dialect === 'postgres' && !schema) throw await missingSchemaError(store.db);
  const migrator = new Migrator({ db: store.db, provider: migrationProvider(store.dialect), ...(schema && { migrationTableSchema: schema }) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${(error as Error | undefined)?.message ?? 'unknown error'}`);
  }
}
