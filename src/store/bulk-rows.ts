import { CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './tables.js';

/**
 * PostgreSQL only: many rows in one statement whose text does not depend on how many there are. Each column travels
 * as one array parameter and `unnest` turns the arrays back into rows, so one prepared statement serves every batch
 * size, and binding 20 arrays costs less than binding 20 values per row. (One JSON parameter read back with
 * json_populate_recordset cost the worker as much and PostgreSQL about 8% more per event.)
 */

/** The columns stored as numbers (bigint or integer) of the tables written this way; every other one is text. */
const numericColumns: Readonly<Record<string, ReadonlySet<string>>> = {
  events: new Set(['event_time', 'received_at', 'seq', 'processed_at']),
  alert_keys: new Set(['muted_until']),
  alerts: new Set([
    'event_cnt',
    'start_time',
    'last_time',
    'end_time',
    'close_time',
    'is_open',
    'flapping',
    'created_at',
    'updated_at',
  ]),
  incidents: new Set([
    'alert_cnt',
    'active_alert_cnt',
    'flapping',
    'start_time',
    'last_time',
    'end_time',
    'ack_time',
    'close_time',
    'created_at',
    'updated_at',
  ]),
  incident_timeline: new Set(['at']),
};

const texts = new Map<string, string>();

/** `unnest($1::text[], $2::bigint[], …) as v("a", "b", …)` for these columns of `table`. */
function unnestOf(table: string, columns: readonly string[]): string {
  const numeric = numericColumns[table] ?? new Set<string>();
  const arrays = columns.map((column, i) => `$${i + 1}::${numeric.has(column) ? 'bigint' : 'text'}[]`);
  return `unnest(${arrays.join(', ')}) as v(${columns.map((column) => `"${column}"`).join(', ')})`;
}

function cachedText(key: string, build: () => string): string {
  let text = texts.get(key);
  if (text === undefined) {
    text = build();
    texts.set(key, text);
  }
  return text;
}

const arraysOf = (rows: readonly object[], columns: readonly string[]): unknown[][] =>
  columns.map((column) => rows.map((row) => (row as Record<string, unknown>)[column] ?? null));

/** Inserts rows into `table` in one statement; `suffix` may add an ON CONFLICT or RETURNING clause. */
export async function bulkInsert<R = unknown>(
  trx: Kysely<Database>,
  table: keyof Database & string,
  rows: readonly object[],
  columns: readonly string[],
  suffix = '',
): Promise<QueryResult<R> | undefined> {
  if (rows.length === 0) return undefined;
  const text = cachedText(`insert:${table}:${columns.join(',')}:${suffix}`, () => {
    const names = columns.map((column) => `"${column}"`).join(', ');
    return `insert into "${table}" (${names}) select ${names} from ${unnestOf(table, columns)} ${suffix}`.trim();
  });
  return trx.executeQuery<R>(CompiledQuery.raw(text, arraysOf(rows, columns)));
}

/**
 * Updates rows of `table` found by `idColumn` in one statement, setting `columns` (the same ones for every row) to
 * each row's values.
 */
export async function bulkUpdate(
  trx: Kysely<Database>,
  table: keyof Database & string,
  idColumn: string,
  rows: readonly object[],
  columns: readonly string[],
): Promise<void> {
  if (rows.length === 0 || columns.length === 0) return;
  const all = [idColumn, ...columns];
  const text = cachedText(`update:${table}:${all.join(',')}`, () => {
    const sets = columns.map((column) => `"${column}" = v."${column}"`).join(', ');
    return `update "${table}" as t set ${sets} from ${unnestOf(table, all)} where t."${idColumn}" = v."${idColumn}"`;
  });
  await trx.executeQuery(CompiledQuery.raw(text, arraysOf(rows, all)));
}

/**
 * The rows of `table` matching each tuple of `keys` (equal on every key column), one index lookup per tuple:
 * the lookups are forced to run per tuple, so the plan stays right on a table whose statistics are not gathered
 * yet. `where` adds a condition (without parameters); `lock` adds a row-locking clause (e.g. `for update`), whose
 * locks are taken in the order of `keys`; `columns`: the columns to return (default all).
 */
export async function bulkSelect<R>(
  trx: Kysely<Database>,
  table: keyof Database & string,
  keyColumns: readonly string[],
  keys: readonly object[],
  options: { where?: string; lock?: string; columns?: readonly string[] } = {},
): Promise<R[]> {
  if (keys.length === 0) return [];
  const where = options.where ?? '';
  const lock = options.lock ?? '';
  const selected = options.columns?.map((column) => `"${column}"`).join(', ') ?? '*';
  const text = cachedText(`select:${table}:${keyColumns.join(',')}:${where}:${lock}:${selected}`, () => {
    const match = keyColumns.map((column) => `"${column}" = v."${column}"`).join(' and ');
    const condition = where ? `${match} and ${where}` : match;
    // offset 0 keeps the subquery a per-tuple lookup instead of a join the planner may turn inside out.
    return `select r.* from ${unnestOf(table, keyColumns)} cross join lateral (select ${selected} from "${table}" where ${condition} offset 0 ${lock}) as r`;
  });
  const result = await trx.executeQuery<R>(CompiledQuery.raw(text, arraysOf(keys, keyColumns)));
  return result.rows;
}
