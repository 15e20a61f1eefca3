import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';
import type { Dialect } from './dialect.js';
import type { Database } from './tables.js';

const compiled = new Map<string, string>();

/**
 * Runs a hot query whose shape never changes: Kysely builds its SQL once per dialect, later calls only bind values.
 * `build` must produce the query with its parameters in the same order as `parameters`.
 */
export async function runCached<R>(
  trx: Kysely<Database>,
  dialect: Dialect,
  name: string,
  build: (db: Kysely<Database>) => Compilable<R>,
  parameters: unknown[],
): Promise<QueryResult<R>> {
  const cacheKey = `${dialect}:${name}`;
  let text = compiled.get(cacheKey);
  if (text === undefined) {
    const query = build(trx).compile();
    if (query.parameters.length !== parameters.length)
      throw new Error(`cached query ${name}: ${query.parameters.length} placeholders, ${parameters.length} values`);
    text = query.sql;
    compiled.set(cacheKey, text);
  }
  return trx.executeQuery<R>(CompiledQuery.raw(text, parameters));
}

/** Inserts one row into `table` with a fixed column list, through the cache. */
export async function insertRow<T extends keyof Database & string>(
  trx: Kysely<Database>,
  dialect: Dialect,
  table: T,
  row: Record<string, unknown>,
  columns: readonly string[],
): Promise<void> {
  const placeholders = Object.fromEntries(columns.map((column) => [column, null]));
  await runCached(
    trx,
    dialect,
    `insert:${table}:${columns.join(',')}`,
    (db) => db.insertInto(table).values(placeholders as never),
    columns.map((column) => row[column] ?? null),
  );
}

/** Inserts several rows in one statement; the SQL is cached per row count. */
export async function insertRows<T extends keyof Database & string>(
  trx: Kysely<Database>,
  dialect: Dialect,
  table: T,
  rows: ReadonlyArray<Record<string, unknown>>,
  columns: readonly string[],
): Promise<void> {
  if (rows.length === 0) return;
  const placeholders = rows.map(() => Object.fromEntries(columns.map((column) => [column, null])));
  await runCached(
    trx,
    dialect,
    `insert:${table}:${rows.length}:${columns.join(',')}`,
    (db) => db.insertInto(table).values(placeholders as never),
    rows.flatMap((row) => columns.map((column) => row[column] ?? null)),
  );
}
