import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { CheckpointThreadData } from './sqlite-checkpoints.js';

// The checkpoint thread of a SQLite store (see sqlite-checkpoints.ts): a passive checkpoint every few hundred ms.
const port = parentPort;
if (!port) throw new Error('sqlite-checkpoint-thread must run on a worker thread');
const { file, everyMs } = workerData as CheckpointThreadData;
const database = new BetterSqlite3(file);
const timer = setInterval(() => {
  try {
    database.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy (another checkpoint runs) or the file is gone: the next tick tries again.
  }
}, everyMs);
port.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  database.close();
  port.close();
});
port.postMessage('ready');
