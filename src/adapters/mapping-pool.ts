import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../errors.js';
import type { AdapterSource } from './registry.js';
import { MappingError, type JsonataErrorDetail, type MappingBindings, type MappingResult } from './mapping.js';

/** Mapping evaluation on worker threads: JSONata is CPU-bound, so the gateway's other cores take that work. */
export interface MappingPool {
  evaluate(adapter: string, input: unknown, bindings: MappingBindings, inputBytes: number): Promise<MappingResult>;
  /** Every thread compiles these adapters (the gateway's after a refresh) and drops any other. */
  adopt(sources: readonly AdapterSource[]): Promise<void>;
  close(): Promise<void>;
}

/** What a mapping thread answers: the raw output, or the error to rebuild on this side. */
export type MappingReply =
  | ({ id: number } & MappingResult)
  | { id: number; adopted: true }
  | {
      id: number;
      error:
        | { kind: 'mapping'; message: string; jsonata: JsonataErrorDetail }
        | { kind: 'app'; code: ErrorCode; message: string }
        | { kind: 'other'; message: string };
    };

interface Pending {
  resolve: (result: MappingResult | undefined) => void;
  reject: (error: Error) => void;
}

function rebuild(error: Extract<MappingReply, { error: unknown }>['error']): Error {
  if (error.kind === 'mapping') return new MappingError(error.message, error.jsonata);
  if (error.kind === 'app') return new AppError(error.code, error.message);
  return new Error(error.message);
}

/** How the threads load the adapters: as the gateway's registry does. */
export interface MappingPoolOptions {
  skipBroken: boolean;
  /** The adapters folder (default: the package's). */
  dir?: string;
  /** JSON_MAX_DEPTH as the settings read it (default 128). */
  maxJsonDepth?: number;
}

function startThread(options: MappingPoolOptions): Promise<{ thread: Worker; pending: Map<number, Pending> }> {
  const thread = new Worker(new URL('./mapping-thread.js', import.meta.url), { workerData: options });
  const pending = new Map<number, Pending>();
  thread.on('message', (reply: MappingReply | { ready: true }) => {
    if ('ready' in reply) return;
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if ('error' in reply) waiting?.reject(rebuild(reply.error));
    else if ('adopted' in reply) waiting?.resolve(undefined);
    else waiting?.resolve({ output: reply.output, severityFallbacks: reply.severityFallbacks });
  });
  return new Promise((resolve, reject) => {
    thread.once('error', reject);
    thread.once('message', () => resolve({ thread, pending }));
  });
}

/** Starts `size` mapping threads, each with its own compiled copy of every adapter; resolves once all are ready. */
export async function startMappingPool(size: number, options: MappingPoolOptions): Promise<MappingPool> {
  const threads = await Promise.all(Array.from({ length: size }, () => startThread(options)));
  let nextId = 0;
  return {
    evaluate(adapter, input, bindings, inputBytes) {
      // The least busy thread takes the next payload.
      const target = threads.reduce((best, item) => (item.pending.size < best.pending.size ? item : best));
      nextId += 1;
      const id = nextId;
      return new Promise<MappingResult>((resolve, reject) => {
        target.pending.set(id, { resolve: (result) => resolve(result as MappingResult), reject });
        target.thread.postMessage({ id, adapter, input, bindings, inputBytes });
      });
    },
    async adopt(sources) {
      await Promise.all(
        threads.map((target) => {
          nextId += 1;
          const id = nextId;
          return new Promise<void>((resolve, reject) => {
            target.pending.set(id, { resolve: () => resolve(), reject });
            target.thread.postMessage({ id, adopt: sources });
          });
        }),
      );
    },
    async close() {
      await Promise.all(threads.map(({ thread }) => thread.terminate()));
    },
  };
}
