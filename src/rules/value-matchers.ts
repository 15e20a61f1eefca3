import { networkContains, parseIpAddress } from './ip-address.js';
import { compileSafeRegex, regexInput } from './regex-guard.js';

/** Tests one value of a key (the key is present). */
export type ValueMatcher = (value: string) => boolean;

/** A compiled condition value, or why it is invalid. */
export type CompiledValue = { match: ValueMatcher } | { error: string };

const surrogate = /[\uD800-\uDFFF]/;
const numericValue = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const comparisons = {
  gt: (a: number, b: number) => a > b,
  ge: (a: number, b: number) => a >= b,
  lt: (a: number, b: number) => a < b,
  le: (a: number, b: number) => a <= b,
} as const;

/** The number a value holds, strictly (`91`, `-2.5`, `1e3`; not `91%` nor `""`), else undefined. */
export function parseNumber(value: string): number | undefined {
  const trimmed = value.trim();
  return numericValue.test(trimmed) ? Number(trimmed) : undefined;
}

function compileNumber(raw: string): CompiledValue {
  const match = /^num:(gt|ge|lt|le):(.*)$/.exec(raw);
  if (!match) return { error: `invalid number comparison ${JSON.stringify(raw)}: expected num:gt|ge|lt|le:<number>` };
  const limit = parseNumber(match[2]);
  if (limit === undefined)
    return { error: `invalid number comparison ${JSON.stringify(raw)}: ${JSON.stringify(match[2])} is not a number` };
  const compare = comparisons[match[1] as keyof typeof comparisons];
  return {
    match: (value) => {
      const number = parseNumber(value);
      return number !== undefined && compare(number, limit);
    },
  };
}

function compileCidr(raw: string): CompiledValue {
  const [network, prefixText, extra] = raw.slice('cidr:'.length).trim().split('/');
  const address = parseIpAddress(network);
  const invalid = (why: string): CompiledValue => ({ error: `invalid cidr ${JSON.stringify(raw)}: ${why}` });
  const withPort = address?.family === 4 && network.includes(':');
  if (!address || extra !== undefined || withPort)
    return invalid('expected cidr:<IPv4 or IPv6 address>[/<prefix length>]');
  const bits = address.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? String(bits)) || prefix > bits)
    return invalid(`prefix length must be 0..${bits}`);
  return {
    match: (value) => {
      const parsed = parseIpAddress(value);
      return parsed !== undefined && networkContains({ address, prefix }, parsed);
    },
  };
}

/** Anchored glob match: `*` any run of characters, `?` exactly one; linear-time two-pointer walk (no regex). */
export function wildcardMatches(pattern: ArrayLike<string>, value: ArrayLike<string>): boolean {
  let p = 0;
  let v = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (v < value.length) {
    if (p < pattern.length && (pattern[p] === '?' || (pattern[p] !== '*' && pattern[p] === value[v]))) {
      p += 1;
      v += 1;
    } else if (p < pattern.length && pattern[p] === '*') {
      starAt = p;
      resumeAt = v;
      p += 1;
    } else if (starAt >= 0) {
      p = starAt + 1;
      resumeAt += 1;
      v = resumeAt;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p += 1;
  return p === pattern.length;
}

function compileRegex(raw: string): CompiledValue {
  const compiled = compileSafeRegex(raw.slice(1, -1), true);
  if ('error' in compiled) return { error: `invalid regex ${raw}: ${compiled.error}` };
  const { regex } = compiled;
  return { match: (value) => regex.test(regexInput(value)) };
}

/**
 * Compiles one condition value (contract §5): `/regex/` (RE2 syntax, matches anywhere in the value),
 * `cidr:<network>`, `num:gt|ge|lt|le:<n>`, a wildcard when it holds `*` or `?` (whole value), else exact.
 */
export function compileValue(raw: string): CompiledValue {
  if (raw.length >= 2 && raw.startsWith('/') && raw.endsWith('/')) return compileRegex(raw);
  if (raw.startsWith('cidr:')) return compileCidr(raw);
  if (raw.startsWith('num:')) return compileNumber(raw);
  if (raw.includes('*') || raw.includes('?')) {
    const pattern = surrogate.test(raw) ? Array.from(raw) : raw;
    // Code points, so `?` is one character; plain strings index faster when no surrogate pair is involved.
    return { match: (value) => wildcardMatches(pattern, surrogate.test(value) ? Array.from(value) : value) };
  }
  return { match: (value) => value === raw };
}

/** True when a value would be read as exactly itself (no regex, wildcard, cidr or num syntax). */
export function isLiteralValue(raw: string): boolean {
  return (
    !(raw.length >= 2 && raw.startsWith('/') && raw.endsWith('/')) &&
    !raw.startsWith('cidr:') &&
    !raw.startsWith('num:') &&
    !raw.includes('*') &&
    !raw.includes('?')
  );
}
