import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { eventLimits } from './events/limits.js';
import type { AdapterManifest } from './generated/adapter.js';
import type { QuickSilence } from './generated/api.js';
import type { ChangeEventInput } from './generated/change-event.js';
import type { ConfigFile } from './generated/config.js';
import type { Definitions as RuleDefinitions } from './generated/rules.js';
import type { StandardAlertInput } from './generated/standard-alert.js';
import { schemasDir } from './paths.js';
import { didYouMean } from './did-you-mean.js';

/*
 * The one AJV instance of alertgate and the one describer of its errors. Every JSON Schema under schemas/ (all but
 * openapi.json, which refers to them) is added once, by its $id, so a schema that refers to another (config → rules)
 * and the OpenAPI document use the same file.
 */

const schemaFiles = [
  'standard-alert.schema.json',
  'rules.schema.json',
  'config.schema.json',
  'adapter.schema.json',
  'api.schema.json',
  'change-event.schema.json',
] as const;
type SchemaFile = (typeof schemaFiles)[number];

const readSchema = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(schemasDir, file), 'utf8')) as Record<string, unknown>;
const schemas = new Map<SchemaFile, Record<string, unknown>>(schemaFiles.map((file) => [file, readSchema(file)]));
const idOf = (file: SchemaFile): string => schemas.get(file)?.$id as string;

// verbose: the standard event's messages quote the offending value (error.data).
const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, verbose: true });
// A schema's own wording of its failures (config/schema-problems.ts): an annotation, it validates nothing.
ajv.addKeyword({ keyword: 'errorMessage', schemaType: ['string', 'object'] });
// Only the formats the API documents; no schema of alertgate's own input uses one.
// ajv-formats is CommonJS: its default export is the plugin's `default` property under Node's ESM interop.
addFormats.default(ajv, ['date-time']);
for (const schema of schemas.values()) ajv.addSchema(schema);

function compiled<T>(file: SchemaFile): ValidateFunction<T> {
  const validate = ajv.getSchema<T>(idOf(file));
  if (!validate) throw new Error(`schemas/${file} did not compile`);
  return validate;
}

/** The standard event (contract §3), compiled once per process. */
export const validateStandardAlert: ValidateFunction<StandardAlertInput> =
  compiled<StandardAlertInput>('standard-alert.schema.json');
/** alertgate.yaml, rules included. */
export const validateConfigFile: ValidateFunction<ConfigFile> = compiled<ConfigFile>('config.schema.json');
/** A standard change event (POST /event/push/change/standard). */
export const validateChangeEvent: ValidateFunction<ChangeEventInput> =
  compiled<ChangeEventInput>('change-event.schema.json');
/** An adapter's manifest.json. */
export const validateAdapterManifest: ValidateFunction<AdapterManifest> =
  compiled<AdapterManifest>('adapter.schema.json');

/** The quick-silence body of the management API. */
export const validateQuickSilence: ValidateFunction<QuickSilence> = ajv.compile<QuickSilence>({
  $ref: `${idOf('api.schema.json')}#/definitions/quick_silence`,
});

const ruleValidators = new Map<keyof RuleDefinitions, ValidateFunction>();

/** A validator of one definition of schemas/rules.schema.json (e.g. `silence`), compiled on first use. */
export function ruleDefinitionValidator<Name extends keyof RuleDefinitions>(
  definition: Name,
): ValidateFunction<RuleDefinitions[Name]> {
  let validate = ruleValidators.get(definition);
  if (!validate) {
    validate = ajv.compile({ $ref: `${idOf('rules.schema.json')}#/definitions/${definition}` });
    ruleValidators.set(definition, validate);
  }
  return validate as ValidateFunction<RuleDefinitions[Name]>;
}

/**
 * How a kind of document words its problems. Each is what its readers already see (and tests pin): adapter manifests
 * as `a.0.b` and `x: is required`, the standard event in Flashduty's terms, naming each limit, API bodies naming the
 * fields they take and the length of a text. Configuration and its rules are worded by config/schema-problems.ts.
 */
export type SchemaVoice = 'manifest' | 'event' | 'api';

const pointerParts = (pointer: string): string[] =>
  pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));

/** A JSON pointer as a path: `/a/0/b` as `a[0].b`; `~1` and `~0` unescaped. */
export function jsonPath(pointer: string): string {
  let path = '';
  for (const part of pointerParts(pointer)) path += /^\d+$/.test(part) ? `[${part}]` : path === '' ? part : `.${part}`;
  return path;
}

/** A JSON pointer as a path of the voice: `a.0.b` for manifests, else `a[0].b`. */
const pathOf = (pointer: string, voice: SchemaVoice): string =>
  voice === 'manifest' ? pointerParts(pointer).join('.') : jsonPath(pointer);

const listOf = (values: unknown): string => (values as unknown[]).join(', ');

function describeEventError(error: ErrorObject, path: string, data: unknown): string | undefined {
  const params = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined) {
    const key = JSON.stringify(error.propertyName);
    if (error.keyword === 'maxLength')
      return `${path}: label key ${key} is longer than ${eventLimits.labelKey} characters`;
    if (error.keyword === 'pattern') return `${path}: label key ${key} must match ^[a-zA-Z_][a-zA-Z0-9_]*$`;
    return undefined;
  }
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      if (missing === 'alert_key') return 'alert_key: is required when event_status is Ok';
      return `${path === '' ? '' : path + '.'}${missing}: is required`;
    }
    case 'enum':
      return `${path}: must be one of ${listOf(params.allowedValues)} (case-sensitive), got ${JSON.stringify(error.data)}`;
    case 'maxLength':
      return `${path}: must be at most ${String(params.limit)} characters`;
    case 'minLength':
      return `${path}: must not be empty`;
    case 'maxProperties': {
      const count = Object.keys(((data as Record<string, unknown>)[path] as object | undefined) ?? {}).length;
      return `${path}: at most ${String(params.limit)} labels are allowed, got ${count}`;
    }
    case 'type':
      return `${path || 'body'}: must be ${params.type === 'object' ? 'an object' : params.type === 'array' ? 'an array' : `a ${String(params.type)}`}`;
    case 'pattern':
      return path.endsWith('.src')
        ? `${path}: must be an http(s) URL or an image key (img_…)`
        : `${path}: must match ${String(params.pattern)}`;
    case 'minimum':
      return `${path}: must be a Unix time (seconds or milliseconds), not negative`;
    case 'if':
    case 'propertyNames':
      return undefined;
    default:
      return `${path}: ${error.message ?? 'is invalid'}`;
  }
}

/** An example object as one line: `{"duration": "1d", "mode": "mark"}`. */
const exampleOf = (schema: Record<string, unknown>): string => {
  const example = (schema.examples as Array<Record<string, unknown>> | undefined)?.[0] ?? {};
  return `{${Object.entries(example)
    .map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`)
    .join(', ')}}`;
};

function describeApiError(error: ErrorObject, path: string, root: string): string | undefined {
  const params = error.params as Record<string, unknown>;
  const schema = error.parentSchema as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') {
    const known = Object.keys((schema.properties as object | undefined) ?? {}).join(', ');
    return `${path === '' ? '' : path + '.'}${String(params.additionalProperty)}: unknown field (${known})`;
  }
  if (error.keyword === 'type' && schema.type === 'object')
    return `${path || root}: must be an object such as ${exampleOf(schema)}`;
  if (schema.type === 'string' && ['type', 'minLength', 'maxLength'].includes(error.keyword))
    return `${path}: must be text of ${String(schema.minLength ?? 0)} to ${String(schema.maxLength)} characters`;
  if (error.keyword === 'enum') return `${path || root}: must be one of ${listOf(params.allowedValues)}`;
  return `${path || root}: ${error.message ?? 'is invalid'}`;
}

function describeError(error: ErrorObject, voice: SchemaVoice, root: string, data: unknown): string | undefined {
  const path = pathOf(error.instancePath, voice);
  if (voice === 'event') return describeEventError(error, path, data);
  if (voice === 'api') return describeApiError(error, path, root);
  const params = error.params as Record<string, unknown>;
  const at = path || root;
  if (error.keyword === 'oneOf' || error.keyword === 'if') return undefined;
  if (error.keyword === 'additionalProperties') {
    const name = String(params.additionalProperty);
    const known = Object.keys(
      ((error.parentSchema as Record<string, unknown> | undefined)?.properties as object) ?? {},
    );
    return `${at}: unknown field ${JSON.stringify(name)}${didYouMean(name, known)}`;
  }
  if (error.keyword === 'enum') return `${at}: must be one of ${listOf(params.allowedValues)}`;
  if (error.keyword === 'required')
    return `${path === '' ? '' : path + '.'}${String(params.missingProperty)}: is required`;
  return `${at}: ${error.message ?? 'is invalid'}`;
}

/**
 * Every distinct problem of a failed validation as `path: message`, in the document's voice. `root` names the value
 * itself when an error is about it as a whole; `data` is the validated value (the event voice counts its labels).
 */
export function describeSchemaErrors(
  errors: readonly ErrorObject[] | null | undefined,
  voice: SchemaVoice,
  options: { root?: string; data?: unknown } = {},
): string[] {
  const root = options.root ?? '(root)';
  const messages = (errors ?? [])
    .map((error) => describeError(error, voice, root, options.data))
    .filter((message): message is string => message !== undefined);
  return [...new Set(messages)];
}

const isSchemaFile = (name: string | undefined): name is SchemaFile =>
  name !== undefined && schemas.has(name as SchemaFile);

/**
 * schemas/openapi.json made self-contained: a `$ref` to a whole schema file is replaced by that schema, and a `$ref`
 * to one of a file's definitions points at a component (`rules.silence`) holding it, with the definitions it refers
 * to. The file keeps referring to the one source of each shape; clients get one document.
 */
export function bundledOpenApi(): string {
  const document = readSchema('openapi.json') as { components: { schemas: Record<string, unknown> } };
  const components = new Map<string, unknown>();
  const componentName = (file: SchemaFile, definition: string): string =>
    `${file.replace('.schema.json', '')}.${definition}`;
  const addComponent = (file: SchemaFile, definition: string): string => {
    const name = componentName(file, definition);
    if (!components.has(name)) {
      components.set(name, undefined);
      const definitions = schemas.get(file)?.definitions as Record<string, unknown>;
      components.set(name, bundle(definitions[definition], file));
    }
    return `#/components/schemas/${name}`;
  };
  // `within`: the schema file being copied, whose `#/definitions/…` refs are its own.
  const bundle = (value: unknown, within?: SchemaFile): unknown => {
    if (Array.isArray(value)) return value.map((item) => bundle(item, within));
    if (typeof value !== 'object' || value === null) return value;
    const { $ref, ...rest } = value as Record<string, unknown>;
    if (typeof $ref === 'string') {
      const [target, fragment] = $ref.split('#');
      const file = target === '' ? within : target;
      if (isSchemaFile(file)) {
        const siblings = bundle(rest, within) as object;
        if (fragment?.startsWith('/definitions/'))
          return { $ref: addComponent(file, fragment.slice('/definitions/'.length)), ...siblings };
        const {
          $schema: _dialect,
          $id: _id,
          definitions: _definitions,
          ...schema
        } = schemas.get(file) as Record<string, unknown>;
        return { ...(bundle(schema, file) as object), ...siblings };
      }
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, bundle(item, within)]));
  };
  const bundled = bundle(document) as typeof document;
  bundled.components.schemas = { ...bundled.components.schemas, ...Object.fromEntries(components) };
  return JSON.stringify(bundled, null, 2);
}

let responseSchemasAdded = false;

/**
 * A validator of one response body described in schemas/openapi.json (`Incident`, `EventPage`, …), compiled by the
 * same AJV instance from the same bundled document that `GET /api/v1/openapi.json` serves, so a test can hold real
 * answers against it. Formats (`date-time`) are checked.
 */
export function apiResponseValidator(component: string): ValidateFunction {
  const id = 'alertgate-openapi-components';
  if (!responseSchemasAdded) {
    const { components } = JSON.parse(bundledOpenApi()) as { components: { schemas: Record<string, unknown> } };
    const text = JSON.stringify({ $id: id, definitions: components.schemas });
    ajv.addSchema(JSON.parse(text.replaceAll('"#/components/schemas/', `"${id}#/definitions/`)) as object);
    responseSchemasAdded = true;
  }
  const validate = ajv.getSchema(`${id}#/definitions/${component}`);
  if (!validate) throw new Error(`schemas/openapi.json has no component ${component}`);
  return validate;
}
