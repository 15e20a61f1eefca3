import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../src/paths.js';

// The dependency rules of src/, checked over the import graph of the TypeScript sources. Each rule: what, and why.
const entryPoints = ['src/main.ts', 'src/cli.ts', 'src/worker-thread.ts', 'src/fixture-gateway.ts'];
const ioModules = [
  'node:fs',
  'node:fs/promises',
  'node:net',
  'node:http',
  'node:https',
  'node:child_process',
  'node:worker_threads',
  'pg',
  'better-sqlite3',
  'ioredis',
  'bullmq',
  'kysely',
  'express',
];
const rules: Array<{ name: string; why: string; forbids: (from: string, to: string) => boolean }> = [
  {
    name: 'nothing imports http/ but http/ itself and the entry points',
    why: 'express stays at the edge: services are called by routes, never the reverse',
    forbids: (from, to) => to.startsWith('src/http/') && !from.startsWith('src/http/') && !isEntry(from),
  },
  {
    name: 'nothing imports cli/ but cli/ itself and the cli.ts entry',
    why: 'commands are a way in, not a library: their logic lives in the modules they call',
    forbids: (from, to) => to.startsWith('src/cli/') && !from.startsWith('src/cli/') && from !== 'src/cli.ts',
  },
  {
    name: 'nothing imports main.ts but the entry points (cli/, the worker thread)',
    why: 'the composition root builds everything; a module that reached back into it would build itself',
    forbids: (from, to) => to === 'src/main.ts' && !from.startsWith('src/cli/') && from !== 'src/worker-thread.ts',
  },
  {
    name: 'rules/ does no I/O: no file, network, database, queue or HTTP module, nor store/, queue/, http/',
    why: 'noise-reduction rules are pure functions over plain data, testable in a table with a fake clock',
    forbids: (from, to) =>
      from.startsWith('src/rules/') && (ioModules.includes(to) || /^src\/(store|queue|http)\//.test(to)),
  },
];

/** Imports a rule would refuse but that are what they look like only by name, each with why it is fine. */
const allowed: Array<{ from: string; to: string; why: string }> = [
  { from: 'src/rules/ip-address.ts', to: 'node:net', why: 'isIP only: a pure address parser, no socket' },
];

/**
 * The environment is read in one place: the CLI entry hands process.env to config/settings.ts, which every other
 * module receives its values from.
 */
const environmentReader = 'src/cli/program.ts';

function isEntry(file: string): boolean {
  return entryPoints.includes(file) || file.startsWith('src/cli/');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(packageRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Every module a file imports (static, re-exports, dynamic): relative ones as src/… .ts paths, packages by name.
 * `runtime`: only imports that exist once compiled (`import type` is erased, so it cannot make a load-order cycle).
 */
function importsOf(file: string, runtime = false): string[] {
  const text = readFileSync(join(packageRoot, file), 'utf8');
  const statements = [...text.matchAll(/^\s*(import|export)\s(type\s)?(?:[^'";]*?\sfrom\s)?'([^']+)'/gm)]
    .filter((match) => !(runtime && match[2]))
    .map((match) => match[3]);
  const specifiers = [...statements, ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((match) =>
    typeof match === 'string' ? match : match[1],
  );
  return specifiers.map((specifier) => {
    if (!specifier.startsWith('.')) return specifier;
    return relative(packageRoot, resolve(dirname(join(packageRoot, file)), specifier)).replace(/\.js$/, '.ts');
  });
}

const files = sourceFiles('src');
const graph = new Map(files.map((file) => [file, importsOf(file)]));
const runtimeGraph = new Map(files.map((file) => [file, importsOf(file, true)]));

/** Import cycles among src/ files at run time, each as the path that closes it (a → b → … → a). */
function findCycles(): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of runtimeGraph.get(file) ?? []) {
      if (!runtimeGraph.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return cycles;
}

test('the import graph is read: every relative import resolves to a source file', () => {
  assert.ok(files.length > 50);
  const unresolved = [...graph].flatMap(([file, imports]) =>
    imports.filter((to) => to.startsWith('src/') && !graph.has(to)).map((to) => `${file} → ${to}`),
  );
  assert.deepEqual(unresolved, []);
});

for (const rule of rules) {
  test(`${rule.name} (${rule.why})`, () => {
    const isAllowed = (from: string, to: string) =>
      allowed.some((exception) => exception.from === from && exception.to === to);
    const violations = [...graph].flatMap(([file, imports]) =>
      imports.filter((to) => rule.forbids(file, to) && !isAllowed(file, to)).map((to) => `${file} → ${to}`),
    );
    assert.deepEqual(violations, []);
  });
}

test('no import cycle among src/ files at run time', () => {
  assert.deepEqual(
    findCycles().map((cycle) => cycle.join(' → ')),
    [],
  );
});

test('only the entry points build a root logger; every part is handed a child of one', () => {
  const builders = files.filter((file) => /\bcreateLogger\(/.test(readFileSync(join(packageRoot, file), 'utf8')));
  assert.deepEqual(
    builders.filter((file) => !['src/main.ts', 'src/worker-thread.ts'].includes(file) && !file.startsWith('src/cli/')),
    ['src/observability/logger.ts'],
  );
});

test('only the CLI entry reads process.env; every other module is handed settings', () => {
  const readers = files.filter((file) => /\bprocess\.env\b/.test(readFileSync(join(packageRoot, file), 'utf8')));
  assert.deepEqual(
    readers.filter((file) => file !== environmentReader),
    [],
  );
});
