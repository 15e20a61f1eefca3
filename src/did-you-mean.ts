/** Edits between two words, a swap of neighbours counting one (`lables` → `labels` is 1). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j += 1) rows[0][j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}

/**
 * The known name a mistyped one most likely means: the closest by edits (case aside), within a third of its length
 * (at least one edit); undefined when none is that close.
 */
export function closestName(word: string, known: readonly string[]): string | undefined {
  const budget = Math.max(1, Math.floor(word.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(word.toLowerCase(), name.toLowerCase());
    if (distance <= budget && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** ` (did you mean "labels"?)` for a mistyped name, else nothing. */
export function didYouMean(word: string, known: readonly string[]): string {
  const meant = closestName(word, known);
  return meant === undefined ? '' : ` (did you mean ${JSON.stringify(meant)}?)`;
}

const eventFields = ['title', 'description', 'severity', 'integration'];

/**
 * What a mistyped event field key (`lables.resource`, `severty`) most likely means: `labels.<name>` or one of the
 * event's fields; undefined when nothing is close.
 */
export function closestFieldKey(key: string): string | undefined {
  const dot = key.indexOf('.');
  if (dot > 0) return closestName(key.slice(0, dot), ['labels']) && `labels.${key.slice(dot + 1)}`;
  return closestName(key, eventFields);
}
