import { codePointLength, truncateCodePoints } from '../../events/truncate.js';

/** `text` cut to `limit` code points, ending with `…` when it was cut (never splits a surrogate pair). */
export function clip(text: string, limit: number): string {
  if (codePointLength(text) <= limit) return text;
  return truncateCodePoints(text, Math.max(0, limit - 1)) + '…';
}

/** `text` cut to at most `limit` UTF-8 bytes, ending with `…` when it was cut (for limits counted in bytes). */
export function clipBytes(text: string, limit: number): string {
  if (Buffer.byteLength(text) <= limit) return text;
  const ellipsis = '…';
  const room = limit - Buffer.byteLength(ellipsis);
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > room) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end) + ellipsis;
}

/** An ISO 8601 time (UTC) of Unix seconds. */
export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** `text` cut to at most `limit` UTF-16 code units (how Java and JavaScript count characters), ending with `…`. */
export function clipUnits(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = Math.max(0, limit - 1);
  // Never leave the high half of a surrogate pair at the end.
  if (end > 0 && /[\uD800-\uDBFF]/.test(text[end - 1])) end -= 1;
  return text.slice(0, end) + '…';
}

/** An identifier cut to `limit` code points, without an ellipsis (a key is matched, not read). */
export function clipKey(text: string, limit: number): string {
  return truncateCodePoints(text, limit);
}
