/** A 1-based line and column in a text file. */
export interface LineColumn {
  line: number;
  column: number;
}

/**
 * The line and column of character offset `position` (0-based, as JSON.parse and JSONata report them; JSONata's
 * offset points just past the offending token, which is where an editor's cursor should land).
 */
export function lineColumnOf(text: string, position: number): LineColumn {
  const before = text.slice(0, Math.max(0, Math.min(position, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}
