import jsonata from 'jsonata';
import { AppError } from '../errors.js';
import { severityFallbackCount, sharedFunctions } from './functions.js';
import { lineColumnOf } from './source-position.js';

/** Bounds on one evaluation of a mapping. */
export interface MappingLimits {
  /** Wall-clock budget of one evaluation of a small payload, in ms. */
  timeoutMs: number;
  /** Extra budget per KiB of payload, in ms: a big Alertmanager group is not a runaway. */
  timeoutMsPerKiB: number;
  /** Deepest nesting of JSONata evaluation steps (stops runaway recursion). */
  maxDepth: number;
  /** Most events one payload may produce. */
  maxEvents: number;
  /** Largest serialised output of one evaluation, in bytes. */
  maxOutputBytes: number;
}

/**
 * Defaults: generous for real payloads, tight for runaways. JSONata interprets at roughly 10-300 µs per alert, and a
 * busy host stretches a 1 ms evaluation to tens of ms of wall-clock time, so 50 ms rejected real alerts; a 1 MiB
 * payload gets about 2.2 s. Runaway recursion is stopped by `maxDepth` long before the clock.
 */
export const defaultMappingLimits: MappingLimits = {
  timeoutMs: 200,
  timeoutMsPerKiB: 2,
  maxDepth: 1000,
  maxEvents: 1000,
  maxOutputBytes: 1024 * 1024,
};

/** A JSONata error as the API reports it: code, message and where in the mapping file. */
export interface JsonataErrorDetail {
  code: string;
  message: string;
  /** Character offset in the mapping source (just past the offending token), when JSONata knows it. */
  position?: number;
  line?: number;
  column?: number;
}

/** A mapping that failed on a payload: 400 InvalidParameter, with the JSONata error attached. */
export class MappingError extends AppError {
  readonly jsonata: JsonataErrorDetail;

  constructor(message: string, jsonata: JsonataErrorDetail) {
    super('InvalidParameter', message);
    this.name = 'MappingError';
    this.jsonata = jsonata;
  }
}

interface RawJsonataError {
  code?: unknown;
  message?: unknown;
  position?: unknown;
  token?: unknown;
}

/** Code, message and line:column of whatever JSONata threw, relative to `source`. */
export function describeJsonataError(error: unknown, source: string): JsonataErrorDetail {
  const raw = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as RawJsonataError;
  const code = typeof raw.code === 'string' ? raw.code : error instanceof RangeError ? 'RangeError' : 'Error';
  const message = typeof raw.message === 'string' && raw.message !== '' ? raw.message : 'the mapping failed';
  if (typeof raw.position !== 'number' || raw.position <= 0) return { code, message };
  // JSONata's position is just past the token; point at the token's last character.
  const { line, column } = lineColumnOf(source, raw.position - 1);
  return { code, message, position: raw.position, line, column };
}

/** `message (file:line:column, JSONata CODE)`: the user's message first, the author's pointer after it. */
export function formatJsonataError(detail: JsonataErrorDetail, file: string): string {
  const where = detail.line === undefined ? file : `${file}:${detail.line}:${detail.column}`;
  return `${detail.message} (${where}, JSONata ${detail.code})`;
}

/** Bindings every evaluation gets besides the shared functions. */
export interface MappingBindings {
  /** When the gateway received the payload, ms since the epoch: the mapping's only clock. */
  receivedAt: number;
  integration: { id: string; name: string };
}

/** What one evaluation produced. */
export interface MappingResult {
  /** The raw output: object, array or anything the mapping returned. */
  output: unknown;
  /** How often a shared severity function fell back to its default (schema drift: see severityFallbackCount). */
  severityFallbacks: number;
}

/** A mapping compiled once, evaluated many times. */
export interface CompiledMapping {
  /** The mapping file, as named in errors. */
  file: string;
  source: string;
  /** The raw output, bounded in time and size; `inputBytes` (the payload's size) extends the time budget. */
  evaluate(input: unknown, bindings: MappingBindings, inputBytes?: number): Promise<MappingResult>;
}

/**
 * Evaluations run one at a time, process-wide. They are CPU-bound, so running them side by side gains nothing; yet
 * JSONata's async evaluator interleaves them whenever several requests resume in the same tick (say, on one Redis
 * reply chunk), and then every evaluation's wall clock counts the others' work and all of them time out together.
 * One at a time, each deadline measures its own evaluation, and the first request in is the first one out.
 */
let lane: Promise<unknown> = Promise.resolve();

function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const run = lane.then(work);
  lane = run.catch(() => undefined);
  return run;
}

/** Calls to the clock or randomness: adapters must be pure (they get `$receivedAt`). */
const impureFunctions = new Set(['now', 'millis', 'random']);

function findImpureCalls(node: unknown, found: Array<{ name: string; position: number }>): void {
  if (Array.isArray(node)) {
    for (const child of node) findImpureCalls(child, found);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as { type?: unknown; procedure?: { type?: unknown; value?: unknown; position?: unknown } };
  const procedure = record.procedure;
  if (record.type === 'function' && procedure?.type === 'variable' && impureFunctions.has(String(procedure.value))) {
    found.push({ name: String(procedure.value), position: Number(procedure.position) });
  }
  for (const child of Object.values(node)) findImpureCalls(child, found);
}

/** Thrown when a mapping does not compile; the message names file, line, column and the JSONata error. */
export class MappingCompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingCompileError';
  }
}

function checkOutputSize(output: unknown, limits: MappingLimits, file: string): void {
  const count = Array.isArray(output) ? output.length : 1;
  if (count > limits.maxEvents) {
    throw new MappingError(
      `the mapping produced ${count} events; at most ${limits.maxEvents} per payload are allowed (${file})`,
      { code: 'OutputTooLarge', message: `${count} events` },
    );
  }
  let bytes: number;
  try {
    bytes = Buffer.byteLength(JSON.stringify(output) ?? '');
  } catch {
    throw new MappingError(`the mapping output is not plain JSON (a function or a cycle in it?) (${file})`, {
      code: 'OutputNotJson',
      message: 'output cannot be serialised',
    });
  }
  if (bytes > limits.maxOutputBytes) {
    throw new MappingError(
      `the mapping produced ${bytes} bytes of events; at most ${limits.maxOutputBytes} are allowed (${file})`,
      { code: 'OutputTooLarge', message: `${bytes} bytes` },
    );
  }
}

/**
 * Compiles a JSONata mapping once, with the shared functions registered and JSONata's own guardrails: evaluation depth,
 * and a time budget set for each evaluation from the payload size (safe to set per evaluation because evaluations run
 * one at a time). Throws MappingCompileError for syntax errors and for `$now`, `$millis`, `$random`.
 */
export function compileMapping(
  source: string,
  file: string,
  limits: MappingLimits = defaultMappingLimits,
): CompiledMapping {
  let expression: jsonata.Expression;
  // JSONata reads these at every step of an evaluation: `timeout` is the running evaluation's budget.
  const guardrails = { stack: limits.maxDepth, timeout: limits.timeoutMs };
  try {
    expression = jsonata(source, guardrails);
  } catch (error) {
    const detail = describeJsonataError(error, source);
    throw new MappingCompileError(
      `${file}:${detail.line ?? 1}:${detail.column ?? 1}: JSONata ${detail.code}: ${detail.message}`,
    );
  }
  const impure: Array<{ name: string; position: number }> = [];
  findImpureCalls(expression.ast(), impure);
  if (impure.length > 0) {
    const { name, position } = impure[0];
    const { line, column } = lineColumnOf(source, position - name.length - 1);
    throw new MappingCompileError(
      `${file}:${line}:${column}: $${name}() is not allowed: mappings must be pure; use $receivedAt for the time of reception`,
    );
  }
  for (const shared of sharedFunctions)
    expression.registerFunction(
      shared.name,
      shared.implementation as (...args: unknown[]) => unknown,
      shared.signature,
    );
  const run = async (input: unknown, bindings: MappingBindings, inputBytes: number): Promise<MappingResult> => {
    guardrails.timeout = Math.round(limits.timeoutMs + (limits.timeoutMsPerKiB * inputBytes) / 1024);
    const fallbacksBefore = severityFallbackCount();
    try {
      const output: unknown = await expression.evaluate(input, bindings);
      return { output, severityFallbacks: severityFallbackCount() - fallbacksBefore };
    } catch (error) {
      const detail = describeJsonataError(error, source);
      throw new MappingError(formatJsonataError(detail, file), detail);
    }
  };
  return {
    file,
    source,
    async evaluate(input, bindings, inputBytes = 0) {
      const result = await oneAtATime(() => run(input, bindings, inputBytes));
      checkOutputSize(result.output, limits, file);
      return result;
    },
  };
}
