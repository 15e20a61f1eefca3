import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../observability/logger.js';
import { migrateToLatest, type StoreDatabase } from './database.js';

/** Socket-level failures: the database host is unreachable or went away. */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

/**
 * PostgreSQL SQLSTATEs of a server that is restarting, shutting down, overloaded or failing over: the same
 * statement succeeds once it is back. Class 08 is "connection exception".
 */
const unavailableStates = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53000',
  '53100',
  '53200',
  '53300',
  '58000',
  '58030',
  '25006',
]);

/** SQLite result codes of a locked, full or unreadable file: a condition of the machine, not of the event. */
const unavailableSqlite = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY|PROTOCOL|NOMEM)/;

/** node-postgres reports a lost connection as a plain Error with one of these messages. */
const lostConnection =
  /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|terminating connection|the database system is (starting up|shutting down|in recovery)/i;

/**
 * True when an error says the store cannot be reached or used right now (restart, failover, network, a locked or full
 * file), as opposed to an error about the statement or the data. Work that failed this way is retried as it was;
 * anything else is the fault of what was being written.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (networkCodes.has(code) || unavailableStates.has(code) || code.startsWith('08') || unavailableSqlite.test(code))
      return true;
  }
  return typeof message === 'string' && lostConnection.test(message);
}

/** Whether the store has been brought up to date, and if not, why. */
export class StoreReadiness {
  private reason: string | undefined = 'connecting to the database';

  get ready(): boolean {
    return this.reason === undefined;
  }

  /** Why the store is not ready; undefined when it is. */
  get notReadyReason(): string | undefined {
    return this.reason;
  }

  markReady(): void {
    this.reason = undefined;
  }

  markWaiting(reason: string): void {
    this.reason = reason;
  }
}

export interface PrepareStoreOptions {
  logger: Logger;
  readiness?: StoreReadiness;
  /** First wait after a failed attempt (ms); doubles up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Stops waiting (start-up cancelled). */
  signal?: AbortSignal;
}

/**
 * Migrates the store, waiting with backoff while the database is unreachable (a process started during a database
 * outage waits for it instead of exiting). Errors that are not about reachability, such as a failed migration or a
 * missing schema, are thrown at once.
 */
export async function prepareStore(store: StoreDatabase, options: PrepareStoreOptions): Promise<void> {
  const maxDelay = options.maxDelayMs ?? 10_000;
  let delay = options.initialDelayMs ?? 500;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await migrateToLatest(store);
      options.readiness?.markReady();
      if (attempt > 1) options.logger.info({ store: store.location }, 'database reachable again; continuing start-up');
      return;
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      // Kysely's migrator lists the tables of every schema; a schema dropped by someone else meanwhile fails that
      // listing (3F000) though ours is fine: list again. A missing schema of our own is reported before migrating.
      const listingRace = attempt < 5 && (cause as { code?: unknown } | undefined)?.code === '3F000';
      if (!listingRace && !isStoreUnavailable(error) && !isStoreUnavailable(cause)) throw error;
      if (options.signal?.aborted)
        throw new Error(`start-up cancelled while waiting for the database at ${store.location}`);
      const reason = `database at ${store.location} unreachable (${(error as Error).message}); retrying in ${Math.round(delay / 100) / 10} s`;
      options.readiness?.markWaiting(reason);
      options.logger.warn({ store: store.location, attempt }, reason);
      await sleep(delay, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}
