import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { schemasDir } from '../paths.js';
import { lineColumnOf } from './source-position.js';

/** Body types an adapter may accept (schemas/adapter.schema.json). */
export type AdapterContentType = 'application/json' | 'text/plain' | 'application/x-www-form-urlencoded' | 'multipart/form-data';

/** HTTP methods an adapter may accept. */
export type AdapterMethod = 'POST' | 'PUT' | 'GET';

/** HMAC-SHA256 over the raw body, keyed with the integration's `secret`. */
export interface HmacSignatureSpec {
  type: 'hmac-sha256';
  header: string;
  encoding: 'hex' | 'base64';
  prefix?: string;
}

/** Amazon SNS message signature (certificate from an SNS host). */
export interface SnsSignatureSpec {
  type: 'aws-sns';
}

/** An adapter's manifest.json, validated. */
export interface AdapterManifest {
  name: string;
  title: string;
  vendor_docs: string;
  content_types: AdapterContentType[];
  methods: AdapterMethod[];
  alert_key: string;
  multipart_field?: string;
  signature?: HmacSignatureSpec | SnsSignatureSpec;
}

const schema = JSON.parse(readFileSync(join(schemasDir, 'adapter.schema.json'), 'utf8')) as object;
const validateManifest = new Ajv({ allErrors: true }).compile<AdapterManifest>(schema);

function describeManifestError(error: ErrorObject): string {
  const path = error.instancePath.split('/').slice(1).join('.') || '(root)';
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return `${path}: unknown field ${JSON.stringify(params.additionalProperty)}`;
  if (error.keyword === 'enum') return `${path}: must be one of ${(params.allowedValues as string[]).join(', ')}`;
  if (error.keyword === 'required') return `${path === '(root)' ? '' : path + '.'}${String(params.missingProperty)}: is required`;
  return `${path}: ${error.message ?? 'is invalid'}`;
}

/** JSON.parse's "at position N" turned into line:column of the text. */
function jsonSyntaxProblem(text: string, error: Error): string {
  const message = error.message.replace(/\s+/g, ' ');
  const match = /position (\d+)/.exec(message);
  if (!match) return message;
  const { line, column } = lineColumnOf(text, Number(match[1]));
  return `${line}:${column}: ${message}`;
}

/**
 * Parses and validates the text of `adapters/<folder>/manifest.json`. Returns the manifest or the problems, each
 * prefixed with a line:column (syntax) or a field path (schema); `name` must equal the folder name.
 */
export function parseManifest(text: string, folder: string): { manifest: AdapterManifest } | { problems: string[] } {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { problems: [jsonSyntaxProblem(text, error as Error)] };
  }
  if (!validateManifest(document)) {
    // oneOf failures repeat each branch's complaint; one line per distinct problem is enough.
    return { problems: [...new Set((validateManifest.errors ?? []).filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if').map(describeManifestError))] };
  }
  if (document.name !== folder) return { problems: [`name: must equal the folder name ${JSON.stringify(folder)}, got ${JSON.stringify(document.name)}`] };
  return { manifest: document };
}
