import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { Problem } from '../problems.js';

/** `channels[0].grouping.equals[1]` as `['channels', 0, 'grouping', 'equals', 1]`. */
export function pathSegments(path: string): Array<string | number> {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((match) =>
    match[2] !== undefined ? Number(match[2]) : match[1],
  );
}

/** The node a problem's path names, or its deepest ancestor present in the document (a missing field's parent). */
function nodeAt(document: Document, segments: ReadonlyArray<string | number>): Node | undefined {
  let node = document.contents as Node | null;
  if (!node) return undefined;
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      // The value's position; the key's when the value is empty.
      const next = (pair.value ?? pair.key) as Node | null;
      if (!next) break;
      node = next;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
      node = node.items[segment] as Node;
    } else break;
  }
  return node;
}

/** Where a field of a map is written (for `unknown field "x"`), else undefined. */
function keyOf(node: Node | undefined, name: string): Node | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find((item) => isScalar(item.key) && String(item.key.value) === name)?.key as Node | undefined;
}

/**
 * A problem with its place in the YAML document: the line and column of the value (or field, or nearest enclosing
 * node present) its path names; a problem whose node is not found is placed in the file alone.
 */
export function locateProblem(problem: Problem, file: string, document: Document, lines: LineCounter): Problem {
  const container = nodeAt(document, problem.path === '' ? [] : pathSegments(problem.path));
  const unknown = /^unknown field "([^"]+)"/.exec(problem.message);
  const node = (unknown && keyOf(container, unknown[1])) || container;
  const offset = node?.range?.[0];
  if (offset === undefined) return { ...problem, location: { file } };
  const { line, col } = lines.linePos(offset);
  return { ...problem, location: { file, line, col } };
}
