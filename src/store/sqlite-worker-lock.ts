import BetterSqlite3 from 'better-sqlite3';

/** Held for a worker's life; releasing it lets another worker take the file. */
export interface WorkerLock {
  release(): void;
}

/**
 * SQLite serves one worker: two would apply events of one alert out of order. The worker holds an exclusive lock
 * on `<file>.worker-lock` (SQLite's own file locking) for its life; the operating system drops it when the
 * process ends, however it ends, so a crashed worker never leaves a stale lock behind.
 */
export function lockSqliteWorker(file: string): WorkerLock {
  const lockFile = `${file}.worker-lock`;
  const database = new BetterSqlite3(lockFile, { timeout: 0 });
  try {
    database.pragma('locking_mode = EXCLUSIVE');
    database.exec('begin exclusive');
  } catch (error) {
    database.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new Error(
        `another alertgate worker is already using ${file}; SQLite serves one worker (run several on PostgreSQL)`,
      );
    }
    throw error;
  }
  return {
    release: () => {
      if (database.inTransaction) database.exec('rollback');
      database.close();
    },
  };
}
