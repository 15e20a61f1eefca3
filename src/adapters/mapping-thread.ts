import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../errors.js';
import { configureMaxJsonDepth } from '../json-depth.js';
import { MappingError, type MappingBindings } from './mapping.js';
import type { MappingPoolOptions, MappingReply } from './mapping-pool.js';
import { AdapterRegistry, type AdapterSource } from './registry.js';

// A mapping thread: compiles every adapter once, then evaluates the payloads the gateway sends it.
const port = parentPort;
if (!port) throw new Error('mapping-thread must run on a worker thread');
const options = workerData as MappingPoolOptions;
if (options.maxJsonDepth !== undefined) configureMaxJsonDepth(options.maxJsonDepth);
const registry = AdapterRegistry.load(options);

interface Request {
  id: number;
  adapter: string;
  input: unknown;
  bindings: MappingBindings;
  inputBytes: number;
}

function describe(error: unknown): Extract<MappingReply, { error: unknown }>['error'] {
  if (error instanceof MappingError) return { kind: 'mapping', message: error.message, jsonata: error.jsonata };
  if (error instanceof AppError) return { kind: 'app', code: error.code, message: error.message };
  return { kind: 'other', message: (error as Error).message };
}

port.on('message', (request: Request | { id: number; adopt: AdapterSource[] }) => {
  if ('adopt' in request) {
    try {
      registry.adopt(request.adopt);
      port.postMessage({ id: request.id, adopted: true } satisfies MappingReply);
    } catch (error) {
      port.postMessage({ id: request.id, error: describe(error) } satisfies MappingReply);
    }
    return;
  }
  const adapter = registry.get(request.adapter);
  if (!adapter) {
    port.postMessage({
      id: request.id,
      error: { kind: 'other', message: `adapter ${request.adapter} is not loaded` },
    } satisfies MappingReply);
    return;
  }
  adapter.mapping.evaluate(request.input, request.bindings, request.inputBytes).then(
    (result) => port.postMessage({ id: request.id, ...result } satisfies MappingReply),
    (error: unknown) => port.postMessage({ id: request.id, error: describe(error) } satisfies MappingReply),
  );
});
port.postMessage({ ready: true });
