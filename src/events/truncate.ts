/** The index just past the code point that starts at `i`: a surrogate pair is one code point, a lone surrogate too. */
function nextCodePoint(text: string, i: number): number {
  const unit = text.charCodeAt(i);
  if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return i + 2;
  }
  return i + 1;
}

/** Number of Unicode code points of a string (what the limits of contract §3 count). */
export function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i = nextCodePoint(text, i)) count += 1;
  return count;
}

/** The first `limit` code points of `text`; never splits a surrogate pair. */
export function truncateCodePoints(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let count = 0;
  for (let i = 0; i < text.length; i = nextCodePoint(text, i)) {
    if (count === limit) return text.slice(0, i);
    count += 1;
  }
  return text;
}
