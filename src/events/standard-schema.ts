import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { schemasDir } from '../paths.js';
import type { StandardAlertInput } from './types.js';

const schema = JSON.parse(readFileSync(join(schemasDir, 'standard-alert.schema.json'), 'utf8')) as object;

/** The standard event schema, compiled once per process. */
export const validateStandardAlert: ValidateFunction<StandardAlertInput> = new Ajv({ allErrors: true, verbose: true }).compile<StandardAlertInput>(schema);

function fieldPath(error: ErrorObject): string {
  const parts = error.instancePath.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = '';
  for (const part of parts) path += /^\d+$/.test(part) ? `[${part}]` : path === '' ? part : `.${part}`;
  return path;
}

function describe(error: ErrorObject, data: Record<string, unknown>): string | undefined {
  const path = fieldPath(error);
  const params = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined) {
    const key = JSON.stringify(error.propertyName);
    if (error.keyword === 'maxLength') return `${path}: label key ${key} is longer than 128 characters`;
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
      return `${path}: must be one of ${(params.allowedValues as string[]).join(', ')} (case-sensitive), got ${JSON.stringify(error.data)}`;
    case 'maxLength':
      return `${path}: must be at most ${String(params.limit)} characters`;
    case 'minLength':
      return `${path}: must not be empty`;
    case 'maxProperties': {
      const count = Object.keys((data[path] as object | undefined) ?? {}).length;
      return `${path}: at most ${String(params.limit)} labels are allowed, got ${count}`;
    }
    case 'type':
      return `${path || 'body'}: must be ${params.type === 'object' ? 'an object' : params.type === 'array' ? 'an array' : `a ${String(params.type)}`}`;
    case 'pattern':
      return path.endsWith('.src') ? `${path}: must be an http(s) URL or an image key (img_…)` : `${path}: must match ${String(params.pattern)}`;
    case 'minimum':
      return `${path}: must be a Unix time (seconds or milliseconds), not negative`;
    case 'if':
    case 'propertyNames':
      return undefined;
    default:
      return `${path}: ${error.message ?? 'is invalid'}`;
  }
}

/** Turns AJV's errors into one message that names each field and its limit. */
export function describeSchemaErrors(errors: ErrorObject[] | null | undefined, data: Record<string, unknown>): string {
  const messages = (errors ?? []).map((error) => describe(error, data)).filter((m): m is string => m !== undefined);
  return [...new Set(messages)].join('; ') || 'the event does not match the standard event schema';
}
