import jsonata from 'jsonata';
import { sharedFunctions } from './functions.js';
import { lineColumnOf } from './source-position.js';

/** A mistake JSONata accepts silently, found by reading the mapping (and its fixtures), with where it is. */
export interface MappingWarning {
  line: number;
  column: number;
  message: string;
}

/** JSONata 2.x's built-in functions: a call to any other name that the mapping never binds is a typo. */
const builtInFunctions = new Set(
  (
    'sum count max min average string substring substringBefore substringAfter lowercase uppercase length trim pad ' +
    'formatNumber formatBase formatInteger parseInteger number floor ceil round abs sqrt power random millis now ' +
    'fromMillis toMillis boolean not exists match contains replace split join sift each error assert type keys ' +
    'lookup append spread merge reverse sort shuffle distinct zip map filter single reduce base64encode ' +
    'base64decode encodeUrlComponent encodeUrl decodeUrlComponent decodeUrl eval clone'
  ).split(' '),
);

/** Variables every evaluation binds besides the shared functions (mapping.ts MappingBindings). */
const providedVariables = new Set(['receivedAt', 'integration', '', '$']);

/** The fields of the mapping input (adapters/README.md): paths from them are read against the fixtures. */
const inputRoots = new Set(['body', 'headers', 'query']);

interface AstNode {
  type?: string;
  value?: unknown;
  position?: number;
  [key: string]: unknown;
}

const isNode = (value: unknown): value is AstNode =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Calls `visit` on every node of the tree, parents before children. */
function walk(node: unknown, visit: (node: AstNode) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
    return;
  }
  if (!isNode(node)) return;
  visit(node);
  for (const [key, child] of Object.entries(node)) if (key !== 'position' && key !== 'value') walk(child, visit);
}

/** Every name the mapping binds: `$x := …`, lambda parameters, `@$x` focus and `#$i` index variables. */
function boundNames(ast: unknown): Set<string> {
  const bound = new Set<string>();
  walk(ast, (node) => {
    if (node.type === 'bind' && isNode(node.lhs)) bound.add(String(node.lhs.value));
    if (node.type === 'lambda' && Array.isArray(node.arguments))
      for (const parameter of node.arguments) if (isNode(parameter)) bound.add(String(parameter.value));
    if (typeof node.focus === 'string') bound.add(node.focus);
    if (typeof node.index === 'string') bound.add(node.index);
  });
  return bound;
}

/** The names a JSONata path of plain steps visits, as JSONata does: arrays are mapped over and flattened. */
function resolves(value: unknown, names: readonly string[]): boolean {
  let current: unknown[] = [value];
  for (const name of names) {
    const next: unknown[] = [];
    for (const item of current.flatMap((entry) => (Array.isArray(entry) ? entry : [entry]))) {
      if (isNode(item) && Object.hasOwn(item, name) && item[name] !== undefined) next.push(item[name]);
    }
    if (next.length === 0) return false;
    current = next;
  }
  return true;
}

/** A path of name steps that starts at an input field (`body.alerts.labels`); filters are left out (a superset). */
function inputPath(node: AstNode): string[] | undefined {
  if (node.type !== 'path' || !Array.isArray(node.steps)) return undefined;
  const steps = node.steps as unknown[];
  if (!steps.every((step) => isNode(step) && step.type === 'name')) return undefined;
  const names = steps.map((step) => String((step as AstNode).value));
  return inputRoots.has(names[0]) && names.length > 1 ? names : undefined;
}

/**
 * Mistakes a mapping compiles with and then silently gets wrong: a variable or function that is never bound (a typo:
 * it evaluates to nothing, e.g. `$mapSeverity(x, $sevrities)`), `$x = value` where `$x := value` was meant (a
 * comparison whose result is thrown away), and a path from the input (`body.…`) that matches nothing in any of
 * `fixtureInputs` (each `{body, headers, query}` as the mapping sees it). Positions are the mapping's line:column.
 */
export function lintMapping(source: string, fixtureInputs: readonly unknown[]): MappingWarning[] {
  const ast = jsonata(source).ast() as unknown;
  const bound = boundNames(ast);
  const shared = new Set(sharedFunctions.map((fn) => fn.name));
  const warnings = new Map<string, MappingWarning>();
  const warn = (position: number | undefined, message: string) => {
    const { line, column } = lineColumnOf(source, Math.max(0, (position ?? 1) - 1));
    warnings.set(`${line}:${column}:${message}`, { line, column, message });
  };
  const procedures = new Set<AstNode>();
  walk(ast, (node) => {
    if ((node.type === 'function' || node.type === 'partial') && isNode(node.procedure)) {
      procedures.add(node.procedure);
      const name = String(node.procedure.value);
      if (node.procedure.type === 'variable' && !bound.has(name) && !shared.has(name) && !builtInFunctions.has(name))
        warn(node.procedure.position, `$${name}() is not a function this mapping defines or can call`);
    }
  });
  // `$x = …` is reported as a comparison; its `$x` is then unbound as a consequence, not a second mistake.
  const comparedNames = new Set<AstNode>();
  walk(ast, (node) => {
    if (node.type === 'variable' && !procedures.has(node) && !comparedNames.has(node)) {
      const name = String(node.value);
      if (!bound.has(name) && !providedVariables.has(name) && !shared.has(name) && !builtInFunctions.has(name))
        warn(node.position, `$${name} is never bound: it evaluates to nothing (a typo?)`);
    }
    if (node.type === 'block' && Array.isArray(node.expressions)) {
      for (const expression of (node.expressions as unknown[]).slice(0, -1)) {
        if (isNode(expression) && expression.type === 'binary' && expression.value === '=' && isNode(expression.lhs))
          if (expression.lhs.type === 'variable') {
            comparedNames.add(expression.lhs);
            warn(
              expression.position,
              `$${String(expression.lhs.value)} = … compares and throws the result away: did you mean :=`,
            );
          }
      }
    }
    const names = inputPath(node);
    if (names && fixtureInputs.length > 0 && !fixtureInputs.some((input) => resolves(input, names))) {
      const first = (node.steps as AstNode[])[0];
      warn(
        (first.position ?? 1) - names[0].length + 1,
        `${names.join('.')} matches nothing in any fixture: a misspelt field, or a case without a fixture`,
      );
    }
  });
  return [...warnings.values()].sort((a, b) => a.line - b.line || a.column - b.column);
}
