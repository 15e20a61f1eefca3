import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

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
 * `file:line:col: problem` for a problem given as `path: message`: the line and column of the value (or field, or
 * nearest enclosing node present) it names in the YAML document. Problems without a path stay as they are.
 */
export function locateProblem(problem: string, file: string, document: Document, lines: LineCounter): string {
  const separator = problem.indexOf(': ');
  if (separator < 0) return `${file}: ${problem}`;
  const path = problem.slice(0, separator);
  const message = problem.slice(separator + 2);
  const segments = path === '(root)' || path === '(file)' ? [] : pathSegments(path);
  const container = nodeAt(document, segments);
  const unknown = /^unknown field "([^"]+)"/.exec(message);
  const node = (unknown && keyOf(container, unknown[1])) || container;
  const offset = node?.range?.[0];
  if (offset === undefined) return `${file}: ${problem}`;
  const { line, col } = lines.linePos(offset);
  return `${file}:${line}:${col}: ${problem}`;
}
