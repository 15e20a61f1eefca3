import { setTimeout as sleep } from 'node:timers/promises';
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
  /** The SQLite file (absent for PostgreSQL and in-memory SQLite): migrations lock it against other processes. */
  sqliteFile?: string;
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
  // Before anything that writes: switching a new file to WAL takes a lock another process may hold.
  database.pragma('busy_timeout = 5000');
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingSqlite(database) }) });
  const close = async (): Promise<void> => {
    await db.destroy();
    // Kysely opens its driver on the first query: a store closed before any query must still release the file.
    if (database.open) database.close();
  };
  return { db, dialect: 'sqlite', location: `sqlite:${file}`, ...(file !== ':memory:' && { sqliteFile: file }), close };
}

/** PostgreSQL bigint columns hold epoch milliseconds and counts: safe as JS numbers. */
const typeParsers = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** Distinct statements prepared per process at most; the hot ones come first, rarer ones are parsed per call. */
const maxPreparedStatements = 400;

/**
 * Makes a client prepare each parameterised statement once (a named statement per SQL text) and only bind values on
 * later calls: PostgreSQL then skips parsing and planning, the largest part of its work for the worker's small
 * queries. Names are shared by every client of the process; each client prepares a name on its first use.
 */
function preparingStatements(client: pg.PoolClient, names: Map<string, string>): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (text: unknown, ...rest: unknown[]) => {
    const values = rest[0];
    if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || rest.length > 1)
      return query(text, ...rest);
    let name = names.get(text);
    if (name === undefined && names.size < maxPreparedStatements) {
      name = `ag${names.size + 1}`;
      names.set(text, name);
    }
    return name === undefined ? query(text, values) : query({ name, text, values });
  };
}

function openPostgres(url: string, schema: string | undefined): StoreDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // Never wait forever for a connection to a database that does not answer: fail, and let the caller retry.
    connectionTimeoutMillis: 5000,
    types: typeParsers,
    ...(schema && { options: `-c search_path=${schema}` }),
  });
  // A client that loses its server (restart, failover, network) emits 'error'; unhandled, that would end the
  // process. Idle clients report on the pool, clients in use on themselves; either way the query in flight fails
  // with the same error, the pool drops the client, and the next query connects anew.
  pool.on('error', () => undefined);
  const statementNames = new Map<string, string>();
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    preparingStatements(client, statementNames);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const parsed = new URL(url);
  return {
    db,
    dialect: 'postgres',
    location: `postgres://${parsed.host}${parsed.pathname}`,
    close: () => db.destroy(),
  };
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

/**
 * Kysely's migration lock does nothing on SQLite, so two processes starting on a fresh file would both create the
 * tables. Migrations run instead on a connection of their own inside BEGIN IMMEDIATE, which other processes wait
 * for: the first migrates, the others then find the schema up to date. A failed migration leaves nothing behind.
 */
async function migrateSqliteExclusively(file: string): Promise<void> {
  const database = new BetterSqlite3(file);
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
  try {
    database.pragma('busy_timeout = 0');
    // Wait for the lock without blocking this thread (better-sqlite3's busy wait would).
    for (let waited = 0; ; waited += 25) {
      try {
        database.exec('begin immediate');
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || waited > 120_000) throw error;
        await sleep(25);
      }
    }
    try {
      await runMigrator(db, 'sqlite', undefined);
      database.exec('commit');
    } catch (error) {
      if (database.inTransaction) database.exec('rollback');
      throw error;
    }
  } finally {
    await db.destroy();
  }
}

async function runMigrator(db: Kysely<unknown>, dialect: Dialect, schema: string | undefined): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider(dialect),
    ...(schema && { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    const reason = error instanceof Error ? error.message : 'unknown error';
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${reason}`.replace('  ', ' '), {
      cause: error,
    });
  }
}

/** Brings the schema up to date; safe when several processes start at once. */
export async function migrateToLatest(store: StoreDatabase): Promise<void> {
  if (store.sqliteFile !== undefined) return migrateSqliteExclusively(store.sqliteFile);
  // Kysely looks for its bookkeeping tables in every schema unless told which one is ours.
  const schema =
    store.dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]?.schema
      : undefined;
  if (store.dialect === 'postgres' && !schema) throw await missingSchemaError(store.db);
  await runMigrator(store.db as unknown as Kysely<unknown>, store.dialect, schema);
}
