import type { ErrorObject } from 'ajv';
import type { Definitions as RuleDefinitions } from '../generated/rules.js';
import { describeSchemaErrors, ruleDefinitionValidator } from '../schemas.js';

/**
 * Keeps the errors that say what to fix. A failed `anyOf`/`oneOf` also reports every branch the value did not take:
 * below a failed choice a wrong-type error only says "the other branch", errors on a path that has a deeper error
 * are vaguer than that one, and the composite keywords themselves say nothing.
 */
function specificErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const choices = errors.filter((error) => error.keyword === 'anyOf').map((error) => `${error.instancePath}/`);
  const underChoice = (error: ErrorObject, choice: string) => error.instancePath.startsWith(choice);
  const plain = errors.filter(
    (error) =>
      error.keyword !== 'anyOf' && error.keyword !== 'oneOf' && !/\/oneOf\/\d+\/required$/.test(error.schemaPath),
  );
  const relevant = plain.filter(
    (error) =>
      error.keyword !== 'type' ||
      !choices.some(
        (choice) =>
          underChoice(error, choice) && plain.some((other) => other.keyword !== 'type' && underChoice(other, choice)),
      ),
  );
  return relevant.filter((error) => !relevant.some((other) => other.instancePath.startsWith(`${error.instancePath}/`)));
}

/**
 * Validates a value against one definition of schemas/rules.schema.json (e.g. `silence`), as alertgate.yaml is
 * validated. Problems are `path: message`, the path relative to the value. A failed choice between alternatives
 * (one_off or weekly) is left to the rule's own validation, which says it in words. `root` names the value itself.
 */
export function ruleSchemaProblems(definition: keyof RuleDefinitions, value: unknown, root = '(root)'): string[] {
  const validate = ruleDefinitionValidator(definition);
  if (validate(value)) return [];
  return describeSchemaErrors(specificErrors(validate.errors ?? []), 'config', { root });
}
