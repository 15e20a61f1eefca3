import { BroadcastChannel } from 'node:worker_threads';

let localVersion = 0;
// `alertgate start` runs the worker on a thread of the gateway's process: the threads tell each other of changes.
const threads = new BroadcastChannel('alertgate:silences');
threads.unref();
threads.onmessage = () => {
  localVersion += 1;
};

/**
 * Counts the silence changes made by this process (any thread): a worker cache of the same process compares it and
 * reloads at once, while other processes rely on their cache's short refresh interval.
 */
export function localSilencesVersion(): number {
  return localVersion;
}

/** Tells this process's worker caches (every thread) that the stored silences changed. */
export function signalSilencesChanged(): void {
  localVersion += 1;
  threads.postMessage('changed');
}
