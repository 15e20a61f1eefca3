import type { AdapterManifest } from '../generated/adapter.js';
import { describeSchemaErrors, validateAdapterManifest } from '../schemas.js';
import { lineColumnOf } from './source-position.js';

/** An adapter's manifest.json, validated (schemas/adapter.schema.json). */
export type { AdapterManifest };

/** Body types an adapter may accept. */
export type AdapterContentType = AdapterManifest['content_types'][number];

/** HTTP methods an adapter may accept. */
export type AdapterMethod = AdapterManifest['methods'][number];

type SignatureSpec = NonNullable<AdapterManifest['signature']>;
/** HMAC-SHA256 over the raw body, keyed with the integration's `secret`. */
export type HmacSignatureSpec = Extract<SignatureSpec, { type: 'hmac-sha256' }>;
/** Amazon SNS message signature (certificate from an SNS host). */
export type SnsSignatureSpec = Extract<SignatureSpec, { type: 'aws-sns' }>;

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
  if (!validateAdapterManifest(document))
    return { problems: describeSchemaErrors(validateAdapterManifest.errors, 'manifest') };
  if (document.name !== folder)
    return {
      problems: [`name: must equal the folder name ${JSON.stringify(folder)}, got ${JSON.stringify(document.name)}`],
    };
  return { manifest: document };
}
