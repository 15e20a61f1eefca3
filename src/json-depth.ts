import { invalidParameter } from './errors.js';

/**
 * Deepest nesting of arrays and objects accepted in any JSON alertgate parses from a request. Real payloads nest a
 * dozen levels; thousands of levels overflow the stack of whatever walks the value next (thread messages, schema
 * checks, serialisers), so they are refused before parsing.
 */
export const defaultMaxJsonDepth = 128;

/** JSON_MAX_DEPTH as a positive integer; throws naming the variable when it is not one. */
export function readMaxJsonDepth(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.JSON_MAX_DEPTH;
  if (raw === undefined || raw === '') return defaultMaxJsonDepth;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`JSON_MAX_DEPTH must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

// Set once per thread from the settings (the gateway's, each mapping thread's, the CLI's): see configureMaxJsonDepth.
let maxJsonDepth = defaultMaxJsonDepth;

/** The bound every parser of this thread applies from now on (JSON_MAX_DEPTH, read by the settings). */
export function configureMaxJsonDepth(depth: number): void {
  maxJsonDepth = depth;
}

const openBracket = 0x5b;
const openBrace = 0x7b;
const closeBracket = 0x5d;
const closeBrace = 0x7d;
const quote = 0x22;
const backslash = 0x5c;

/**
 * Whether JSON text nests arrays and objects more than `max` levels deep: one linear pass counting brackets outside
 * strings, stopping at the first level too many. It does not validate; JSON.parse does that afterwards.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === backslash) i += 1;
      else if (code === quote) inString = false;
    } else if (code === quote) inString = true;
    else if (code === openBracket || code === openBrace) {
      depth += 1;
      if (depth > max) return true;
    } else if (code === closeBracket || code === closeBrace) depth -= 1;
  }
  return false;
}

/**
 * nestsDeeperThan over UTF-8 bytes, without decoding them: brackets, quotes and backslashes are single bytes that
 * never occur inside a multi-byte character. The same loop over bytes, kept separate because a shared one that reads
 * through a callback is several times slower, and request bodies arrive as bytes.
 */
export function bytesNestDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const code = bytes[i];
    if (inString) {
      if (code === backslash) i += 1;
      else if (code === quote) inString = false;
    } else if (code === quote) inString = true;
    else if (code === openBracket || code === openBrace) {
      depth += 1;
      if (depth > max) return true;
    } else if (code === closeBracket || code === closeBrace) depth -= 1;
  }
  return false;
}

/** Throws InvalidParameter (`what: JSON nesting deeper than N levels`) when JSON text or its UTF-8 bytes nest too deep. */
export function assertJsonDepth(text: string | Uint8Array, what: string): void {
  const tooDeep =
    typeof text === 'string' ? nestsDeeperThan(text, maxJsonDepth) : bytesNestDeeperThan(text, maxJsonDepth);
  if (tooDeep) throw invalidParameter(`${what}: JSON nesting deeper than ${maxJsonDepth} levels`);
}

/** JSON.parse behind the depth bound; invalid JSON throws JSON.parse's SyntaxError, as before. */
export function parseJsonWithinDepth(text: string, what: string): unknown {
  assertJsonDepth(text, what);
  return JSON.parse(text) as unknown;
}
