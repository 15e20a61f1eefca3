import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import type { StoreDatabase } from './database.js';

/**
 * WAL pages the worker's own connection may gather before it checkpoints them itself: a backstop far above what the
 * checkpoint thread lets the WAL reach (SQLite's default is 1,000 pages).
 */
export const backstopCheckpointPages = 20_000;

/** Checkpoints of a SQLite file on a thread of their own; `close` stops the thread. */
export interface SqliteCheckpointer {
  close(): Promise<void>;
}

/** What the checkpoint thread is started with. */
export interface CheckpointThreadData {
  file: string;
  everyMs: number;
}

/**
 * Copies the WAL of the store's file back into the file from a thread of its own. By default SQLite does that in
 * whichever connection commits past 1,000 WAL pages, in practice the worker's: it then waits for the copy and two
 * fsyncs (about 30 to 70 ms for 1,000 pages on the development machine) before it applies the next events, and a
 * retention run writes such a WAL every half second. Passive checkpoints from another connection never block a
 * writer, so the worker's commits only append to the WAL.
 */
export async function startSqliteCheckpointer(store: StoreDatabase, everyMs = 200): Promise<SqliteCheckpointer> {
  if (store.sqliteFile === undefined) return { close: async () => undefined };
  const data: CheckpointThreadData = { file: store.sqliteFile, everyMs };
  const thread = new Worker(new URL('./sqlite-checkpoint-thread.js', import.meta.url), { workerData: data });
  const exited = new Promise((resolve) => thread.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    thread.once('error', reject);
    thread.once('message', () => resolve());
  });
  const autocheckpoint = (pages: number) => sql.raw(`pragma wal_autocheckpoint = ${pages}`).execute(store.db);
  await autocheckpoint(backstopCheckpointPages);
  // A thread that dies hands checkpoints back to the store's connection, at SQLite's default size.
  thread.on('error', () => void autocheckpoint(1000).catch(() => undefined));
  return {
    close: async () => {
      thread.postMessage('stop');
      await exited;
    },
  };
}
