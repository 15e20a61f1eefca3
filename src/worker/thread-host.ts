import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { MetricsJson } from '../observability/metrics.js';

/** Roles (the worker's pipeline, its notifier) running on a worker thread of this process. */
export interface WorkerThread {
  stop(): Promise<void>;
  /** Applies configuration text already validated by the host (the thread validates it again). */
  reload(text: string): void;
  metricsJson(): Promise<MetricsJson>;
}

type Reply =
  | { type: 'started' }
  | { type: 'failed'; message: string }
  | { type: 'stopped' }
  | { type: 'metrics'; id: number; metrics: MetricsJson };

/**
 * Starts roles on a thread running `entry` with `workerData`, and resolves once it runs (rejects with its
 * start-up error). `onCrash` is told when the thread dies afterwards without being asked to stop: a gateway must not
 * go on accepting with no consumer. The entry is the caller's, so this module imports no composition root.
 */
export function startWorkerThread(
  entry: URL,
  workerData: unknown,
  onCrash: (error: Error) => void,
): Promise<WorkerThread> {
  const thread = new Worker(entry, { workerData });
  const pending = new Map<number, (metrics: MetricsJson) => void>();
  let nextId = 0;
  let onStopped: (() => void) | undefined;
  let started = false;
  let stopping = false;
  return new Promise((resolve, reject) => {
    thread.on('error', (error) => (started ? onCrash(error) : reject(error)));
    thread.on('exit', (code) => {
      if (started && !stopping) onCrash(new Error(`the worker thread exited with code ${code}`));
    });
    thread.on('message', (reply: Reply) => {
      if (reply.type === 'started') {
        started = true;
        resolve({
          stop: () =>
            new Promise<void>((done) => {
              stopping = true;
              onStopped = done;
              thread.once('exit', () => done());
              thread.postMessage({ type: 'stop' });
            }),
          reload: (text) => thread.postMessage({ type: 'reload', text }),
          metricsJson: () =>
            new Promise<MetricsJson>((done) => {
              nextId += 1;
              pending.set(nextId, done);
              thread.postMessage({ type: 'metrics', id: nextId });
            }),
        });
      } else if (reply.type === 'failed') {
        reject(new Error(reply.message));
      } else if (reply.type === 'stopped') {
        onStopped?.();
      } else {
        pending.get(reply.id)?.(reply.metrics);
        pending.delete(reply.id);
      }
    });
  });
}

/**
 * Lowers the CPU priority of the calling thread (Linux: threads have their own nice value, and `/proc/thread-self`
 * names the thread). Elsewhere, or when refused, nothing changes. Returns whether it changed.
 */
export function lowerThreadPriority(nice: number): boolean {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(threadId) || threadId <= 0) return false;
    setPriority(threadId, Math.max(getPriority(threadId), nice));
    return true;
  } catch {
    return false;
  }
}
