import { createHash, randomBytes } from 'node:crypto';

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// Random bytes are drawn in blocks: one system call per few hundred ids instead of one per id.
let pool = randomBytes(4096);
let poolOffset = 0;

function takeRandom(size: number): Buffer {
  if (poolOffset + size > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  poolOffset += size;
  return pool.subarray(poolOffset - size, poolOffset);
}

function encodeTime(ms: number): string {
  let out = '';
  let rest = ms;
  for (let i = 0; i < 10; i += 1) {
    out = crockford[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  // 80 random bits as 16 base32 characters (5 bits each).
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += crockford[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

function increment(random: Uint8Array): boolean {
  for (let i = random.length - 1; i >= 0; i -= 1) {
    if (random[i] < 255) {
      random[i] += 1;
      return true;
    }
    random[i] = 0;
  }
  return false;
}

/**
 * Creates a generator of ULIDs (26 chars, lexicographically time-ordered). Within one process the ids are strictly
 * increasing even inside one millisecond, so sorting by id is sorting by gateway order.
 */
export function createIdGenerator(clock: () => number = Date.now): () => string {
  let lastTime = -1;
  let lastRandom = new Uint8Array(10);
  return () => {
    let now = clock();
    if (now <= lastTime) {
      if (increment(lastRandom)) {
        now = lastTime;
      } else {
        now = lastTime + 1;
        lastRandom = new Uint8Array(takeRandom(10));
      }
    } else {
      lastRandom = new Uint8Array(takeRandom(10));
    }
    lastTime = now;
    return encodeTime(now) + encodeRandom(lastRandom);
  };
}

/** Process-wide ULID generator. */
export const newId = createIdGenerator();

/** A request id in Flashduty's shape: 32 lower-case hex characters. */
export function newRequestId(): string {
  return takeRandom(16).toString('hex');
}

/**
 * An event id whose time part is `ms` and whose rest is derived from `seed`: the same inputs give the same id, so an
 * event the worker raises itself (a missed heartbeat, an idle alert's recovery) is stored once however often it is
 * raised, and sorts at `ms` among the events of its alert.
 */
export function derivedEventId(ms: number, seed: string): string {
  return encodeTime(ms) + encodeRandom(createHash('sha256').update(seed).digest().subarray(0, 10));
}

/** The smallest id of a millisecond: every id made at `ms` or later sorts at or after it, every earlier one before. */
export function firstIdAt(ms: number): string {
  return encodeTime(Math.max(0, Math.floor(ms))) + '0'.repeat(16);
}

const timePart = new RegExp(`^[${crockford}]{10}`);

/** An id's time part when it is one of these ids (ten characters that sort as the milliseconds they encode). */
export function idTimePart(id: string): string | undefined {
  return timePart.exec(id)?.[0];
}
