import jsonata from 'jsonata';
import {
  describeJsonataError,
  compileMapping,
  defaultMappingLimits,
  MappingCompileError,
} from '../adapters/mapping.js';
import type { LoadedAdapter } from '../adapters/registry.js';
import type { TransformProblem } from '../adapters/transform.js';
import { invalidParameter } from '../errors.js';

/** Longest mapping the playground compiles. */
export const maxEditedMappingChars = 64 * 1024;

/** An adapter whose mapping is an edited source, or why that source does not compile (with its position). */
export type EditedAdapter = { adapter: LoadedAdapter } | { problem: TransformProblem };

/**
 * The adapter with `source` as its mapping, compiled with the same limits and shared functions as a loaded one, so
 * evaluating it is bounded in time, depth and output the same way; nothing is stored or swapped in.
 */
export function withEditedMapping(adapter: LoadedAdapter, source: unknown): EditedAdapter {
  if (typeof source !== 'string' || source.trim() === '')
    throw invalidParameter('mapping (body): must be the JSONata source of the mapping');
  if (source.length > maxEditedMappingChars)
    throw invalidParameter(`mapping (body): must be at most ${maxEditedMappingChars} characters`);
  const file = `${adapter.name}/mapping.jsonata (edited)`;
  try {
    return { adapter: { ...adapter, mapping: compileMapping(source, file, defaultMappingLimits) } };
  } catch (error) {
    if (!(error instanceof MappingCompileError)) throw error;
    return { problem: compileProblem(source, error) };
  }
}

/** The compile error with JSONata's code and position when it is a syntax error, else the message alone. */
function compileProblem(source: string, error: MappingCompileError): TransformProblem {
  try {
    jsonata(source);
  } catch (syntax) {
    const detail = describeJsonataError(syntax, source);
    return { code: 'MappingCompileError', message: error.message, jsonata: detail };
  }
  const at = /:(\d+):(\d+):/.exec(error.message);
  return {
    code: 'MappingCompileError',
    message: error.message,
    ...(at && { jsonata: { code: 'Impure', message: error.message, line: Number(at[1]), column: Number(at[2]) } }),
  };
}
