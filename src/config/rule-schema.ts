import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { schemasDir } from '../paths.js';

const rulesSchema = JSON.parse(readFileSync(join(schemasDir, 'rules.schema.json'), 'utf8')) as { $id: string };
const ajv = new Ajv({ allErrors: true, allowUnionTypes: true }).addSchema(rulesSchema);
const validators = new Map<string, ValidateFunction>();

function jsonPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function describe(error: ErrorObject, root: string): string {
  const path = jsonPath(error.instancePath) || root;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return `${path}: unknown field ${JSON.stringify(params.additionalProperty)}`;
  if (error.keyword === 'required') return `${path}: missing required field ${JSON.stringify(params.missingProperty)}`;
  if (error.keyword === 'enum') return `${path}: must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
  return `${path}: ${error.message ?? 'is invalid'}`;
}

/**
 * Keeps the errors that say what to fix. A failed `anyOf`/`oneOf` also reports every branch the value did not take:
 * below a failed choice a wrong-type error only says "the other branch", errors on a path that has a deeper error
 * are vaguer than that one, and the composite keywords themselves say nothing.
 */
function specificErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const choices = errors.filter((error) => error.keyword === 'anyOf').map((error) => `${error.instancePath}/`);
  const underChoice = (error: ErrorObject, choice: string) => error.instancePath.startsWith(choice);
  const plain = errors.filter((error) => error.keyword !== 'anyOf' && error.keyword !== 'oneOf' && !/\/oneOf\/\d+\/required$/.test(error.schemaPath));
  const relevant = plain.filter((error) => error.keyword !== 'type' || !choices.some((choice) => underChoice(error, choice) && plain.some((other) => other.keyword !== 'type' && underChoice(other, choice))));
  return relevant.filter((error) => !relevant.some((other) => other.instancePath.startsWith(`${error.instancePath}/`)));
}

/**
 * Validates a value against one definition of schemas/rules.schema.json (e.g. `silence`), as alertgate.yaml is
 * validated. Problems are `path: message`, the path relative to the value. A failed choice between alternatives
 * (one_off or weekly) is left to the rule's own validation, which says it in words. `root` names the value itself.
 */
export function ruleSchemaProblems(definition: string, value: unknown, root = '(root)'): string[] {
  let validate = validators.get(definition);
  if (!validate) {
    validate = ajv.compile({ $ref: `${rulesSchema.$id}#/definitions/${definition}` });
    validators.set(definition, validate);
  }
  if (validate(value)) return [];
  return [...new Set(specificErrors(validate.errors ?? []).map((error) => describe(error, root)))];
}
