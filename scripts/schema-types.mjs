// Writes the TypeScript types of alertgate's JSON Schemas (schemas/*.json, all but openapi.json) to src/generated/:
// one module a schema, one type a definition, the root's type named below. The schemas are the one source of each
// shape; the compiler then holds every use of a configuration, rule, event or manifest to them. Run first by
// `npm run build`; the output is committed (readable in review and editors without a build) and rewritten only when
// it changes. Keywords that only constrain a value (pattern, ranges, required choices, if/then) do not change its
// type and are left out; `required` makes a property non-optional.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const schemasDir = join(root, 'schemas');
const outDir = join(root, 'src', 'generated');

/** The type name of each schema's root, for schemas that describe a document (not only definitions). */
const rootNames = {
  'config.schema.json': 'ConfigFile',
  'standard-alert.schema.json': 'StandardAlertInput',
  'change-event.schema.json': 'ChangeEventInput',
  'adapter.schema.json': 'AdapterManifest',
};

const moduleOf = (file) => file.replace(/\.schema\.json$/, '');
const pascal = (name) =>
  name
    .replace(/(^|[_-])([a-z])/g, (_match, _sep, letter) => letter.toUpperCase())
    .replace(/^[a-z]/, (c) => c.toUpperCase());
const shapeKeywords = ['$ref', 'const', 'enum', 'type', 'properties', 'items', 'additionalProperties'];

/** Whether a schema says anything about the type of a value (not only constraints on it). */
function shapes(schema) {
  if (typeof schema !== 'object' || schema === null) return false;
  if (shapeKeywords.some((keyword) => schema[keyword] !== undefined)) return true;
  return ['anyOf', 'oneOf', 'allOf'].some((keyword) => (schema[keyword] ?? []).some(shapes));
}

const comment = (text) => (text ? `/** ${String(text).replace(/\*\//g, '*\\/')} */\n` : '');
const isIdentifier = (name) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);
const wrap = (type) => (/^[\w.'"$<>[\], ]+$/.test(type) && !type.includes(' | ') ? type : `(${type})`);

function generate(file, schema) {
  const imports = new Map();
  const refName = (ref) => {
    const [target, fragment = ''] = ref.split('#');
    const definition = fragment.startsWith('/definitions/') ? fragment.slice('/definitions/'.length) : undefined;
    const name = definition === undefined ? rootNames[target] : pascal(definition);
    if (!name) throw new Error(`${file}: cannot name the type of $ref ${ref}`);
    if (target !== '' && target !== file) {
      const module = `./${moduleOf(target)}.js`;
      imports.set(module, new Set([...(imports.get(module) ?? []), name]));
    }
    return name;
  };
  const typeOf = (node) => {
    if (node === true || node === undefined) return 'unknown';
    if (node === false) return 'never';
    if (node.$ref) return refName(node.$ref);
    if (node.const !== undefined) return JSON.stringify(node.const);
    if (node.enum) return node.enum.map((value) => JSON.stringify(value)).join(' | ');
    const parts = [];
    const own = ownType(node);
    if (own !== undefined) parts.push(own);
    for (const keyword of ['anyOf', 'oneOf']) {
      const branches = (node[keyword] ?? []).filter(shapes);
      if (branches.length > 0) parts.push(wrap(branches.map(typeOf).join(' | ')));
    }
    // A branch that only restates the type (`{type: array, minItems: 1}` beside a $ref) adds nothing to it.
    const restatesType = (branch) => Object.keys(branch).every((key) => key === 'type' || !shapeKeywords.includes(key));
    const allOf = (node.allOf ?? []).filter(shapes);
    const kept = allOf.length > 1 ? allOf.filter((branch) => !restatesType(branch)) : allOf;
    for (const branch of kept) parts.push(wrap(typeOf(branch)));
    return parts.length === 0 ? 'unknown' : parts.join(' & ');
  };
  const ownType = (node) => {
    const types = Array.isArray(node.type) ? node.type : node.type === undefined ? [] : [node.type];
    const isObject = types.includes('object') || node.properties !== undefined;
    const isArray = types.includes('array') || node.items !== undefined;
    if (!isObject && !isArray && types.length === 0) return undefined;
    const out = new Set();
    for (const type of types) {
      if (type === 'string') out.add('string');
      else if (type === 'integer' || type === 'number') out.add('number');
      else if (type === 'boolean') out.add('boolean');
      else if (type === 'null') out.add('null');
    }
    if (isArray) out.add(`${wrap(node.items === undefined ? 'unknown' : typeOf(node.items))}[]`);
    if (isObject) out.add(objectType(node));
    return [...out].join(' | ');
  };
  const objectType = (node) => {
    const properties = Object.entries(node.properties ?? {});
    const extra = node.additionalProperties;
    const extraType = typeof extra === 'object' ? typeOf(extra) : undefined;
    if (properties.length === 0) return `Record<string, ${extraType ?? 'unknown'}>`;
    const required = new Set(node.required ?? []);
    const members = properties.map(
      ([name, property]) =>
        `${comment(property.description)}${isIdentifier(name) ? name : JSON.stringify(name)}${required.has(name) ? '' : '?'}: ${typeOf(property)};`,
    );
    if (extraType !== undefined) members.push(`[key: string]: unknown;`);
    return `{\n${members.join('\n')}\n}`;
  };
  const declare = (name, node) => {
    const type = typeOf(node);
    const isInterface = type.startsWith('{\n') && node.$ref === undefined;
    return `${comment(node.description)}export ${isInterface ? `interface ${name} ${type}` : `type ${name} = ${type};`}`;
  };

  const declarations = [];
  if (rootNames[file]) declarations.push(declare(rootNames[file], schema));
  const definitions = Object.entries(schema.definitions ?? {});
  for (const [name, definition] of definitions) declarations.push(declare(pascal(name), definition));
  // Each definition's type by its name in the schema, for code that picks a definition by name (a validator of it).
  if (definitions.length > 0)
    declarations.push(
      `/** The type of each definition of schemas/${file}, by its name there. */\nexport interface Definitions {\n${definitions.map(([name]) => `${isIdentifier(name) ? name : JSON.stringify(name)}: ${pascal(name)};`).join('\n')}\n}`,
    );
  const importLines = [...imports].map(
    ([module, names]) => `import type { ${[...names].sort().join(', ')} } from '${module}';`,
  );
  return [
    `// Generated from schemas/${file} by scripts/schema-types.mjs (npm run build). Edit the schema, not this file.`,
    ...importLines,
    '',
    declarations.join('\n\n'),
    '',
  ].join('\n');
}

const files = readdirSync(schemasDir).filter((file) => file.endsWith('.schema.json'));
const options = { ...(await prettier.resolveConfig(join(outDir, 'x.ts'))), parser: 'typescript' };
mkdirSync(outDir, { recursive: true });
for (const file of files.sort()) {
  const schema = JSON.parse(readFileSync(join(schemasDir, file), 'utf8'));
  const text = await prettier.format(generate(file, schema), options);
  const target = join(outDir, `${moduleOf(file)}.ts`);
  if (!existsSync(target) || readFileSync(target, 'utf8') !== text) writeFileSync(target, text);
}
