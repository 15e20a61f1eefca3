import { sql, type Kysely } from 'kysely';
import type { StoreDatabase } from './database.js';
import type { Database } from './tables.js';

/**
 * PostgreSQL errors that mean "try the same transaction again": deadlock, serialization failure, and a unique
 * violation (another worker opened the incident of the same grouping key first: the retry joins it).
 */
const retryableCodes = new Set(['40P01', '40001', '23505']);

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (retryableCodes.has(code) || code === 'SQLITE_BUSY');
}

/**
 * Runs `work` in one transaction on one connection. SQLite takes the write lock up front (BEGIN IMMEDIATE) so two
 * processes never dead-end on a lock upgrade; deadlocks and busy errors are retried a few times.
 */
export async function inTransaction<T>(store: StoreDatabase, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await store.db.connection().execute(async (connection) => {
        await sql.raw(store.dialect === 'sqlite' ? 'begin immediate' : 'begin').execute(connection);
        try {
          const result = await work(connection);
          await sql.raw('commit').execute(connection);
          return result;
        } catch (error) {
          await sql
            .raw('rollback')
            .execute(connection)
            .catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      if (attempt >= 5 || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

/** Carries a result out of a transaction that must not commit. */
class RolledBack<T> extends Error {
  constructor(readonly value: T) {
    super('rolled back on purpose');
  }
}

/**
 * Runs `work` in one transaction and always rolls it back: `work` sees its own writes (the real code path), and
 * nothing it did is kept. Its result is returned; its errors are thrown after the rollback.
 */
export async function inRolledBackTransaction<T>(
  store: StoreDatabase,
  work: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  try {
    await inTransaction(store, async (trx) => {
      throw new RolledBack(await work(trx));
    });
  } catch (error) {
    if (error instanceof RolledBack) return error.value as T;
    throw error;
  }
  throw new Error('a rolled-back transaction committed');
}
