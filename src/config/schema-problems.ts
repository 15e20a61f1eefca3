import type { ErrorObject } from 'ajv';
import { closestFieldKey, closestName } from '../did-you-mean.js';
import { fieldPath, problemAt, type Problem, type ProblemList } from '../problems.js';
import type { Definitions as RuleDefinitions } from '../generated/rules.js';
import { jsonPath, ruleDefinitionValidator } from '../schemas.js';

/*
 * What alertgate.yaml's schema (and the rule shapes it refers to) refuses, in words: one problem per mistake, at the
 * value it is about. A schema may say how a failure of one of its keywords reads with `errorMessage` (a text for any
 * of its keywords, or one per keyword); otherwise the keyword's own wording below applies.
 */

type Schema = Record<string, unknown>;

const isChoice = (error: ErrorObject): boolean => error.keyword === 'anyOf' || error.keyword === 'oneOf';

/** The fields of a choice whose branches only require a field each (`oneOf: [{required: [a]}, {required: [b]}]`). */
function requiredChoice(error: ErrorObject): string[] | undefined {
  if (!isChoice(error) || !Array.isArray(error.schema)) return undefined;
  const branches = error.schema as unknown[];
  const fields = branches.map((branch) => {
    const keys = typeof branch === 'object' && branch !== null ? Object.keys(branch) : [];
    return keys.length === 1 && keys[0] === 'required' ? (branch as { required: string[] }).required : undefined;
  });
  return fields.every((names) => names !== undefined) ? fields.map((names) => names.join(' and ')) : undefined;
}

/** The errors of a required choice's branches (`missing required field "weekly"`): its own message says it all. */
const isBranchOf = (error: ErrorObject, choice: ErrorObject): boolean =>
  error.keyword === 'required' &&
  error.instancePath === choice.instancePath &&
  new RegExp(`^${choice.schemaPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\d+/required$`).test(error.schemaPath);

/** An error that only says the value is not of a branch's kind. */
const saysWrongKind = (error: ErrorObject): boolean => error.keyword === 'type' || error.keyword === 'const';

const isAtOrBelow = (error: ErrorObject, pointer: string): boolean =>
  error.instancePath === pointer || error.instancePath.startsWith(`${pointer}/`);

/**
 * The errors worth reading. A failed choice between shapes (a filter's two forms) reports every branch the value did
 * not take: when some branch came close, its specific errors stay and the "not this kind" ones go; when none did,
 * the choice itself is the problem. The branches of a choice between required fields go: the choice names them.
 */
function relevantErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  for (const choice of errors.filter(isChoice)) {
    if (requiredChoice(choice)) {
      for (const error of errors) if (isBranchOf(error, choice)) dropped.add(error);
      continue;
    }
    // The errors at and below the choice's value come from its branches: in these schemas a choice between shapes
    // is the only keyword of its schema.
    const branches = errors.filter((error) => error !== choice && isAtOrBelow(error, choice.instancePath));
    const specific = branches.filter((error) => !saysWrongKind(error));
    if (specific.length > 0) {
      for (const error of branches) if (saysWrongKind(error)) dropped.add(error);
      dropped.add(choice);
    } else if (messageOf(choice) !== undefined) {
      for (const error of branches) dropped.add(error);
    } else dropped.add(choice);
  }
  return errors.filter((error) => !dropped.has(error) && error.keyword !== 'if');
}

/** The schema's own wording for a failure of this keyword, if it has one. */
function messageOf(error: ErrorObject): string | undefined {
  const message = (error.parentSchema as Schema | undefined)?.errorMessage;
  if (typeof message === 'string') return message;
  if (typeof message === 'object' && message !== null) {
    const forKeyword = (message as Record<string, unknown>)[error.keyword];
    if (typeof forKeyword === 'string') return forKeyword;
  }
  return undefined;
}

const listed = (values: unknown): string => (values as unknown[]).join(', ');

/** `a or b`, `at least one of a, b, c`; `exactly one of a and b`, `exactly one of a, b, c`. */
function choiceMessage(keyword: string, fields: string[]): string {
  if (keyword === 'anyOf')
    return fields.length === 2 ? `needs ${fields[0]} or ${fields[1]}` : `needs at least one of ${fields.join(', ')}`;
  return `needs exactly one of ${fields.length === 2 ? `${fields[0]} and ${fields[1]}` : fields.join(', ')}`;
}

/** The pattern of rules.schema.json's `key`: a field of an alert. */
const isFieldKeyPattern = (pattern: unknown): boolean =>
  String(pattern).startsWith('^(title|description|severity|integration|labels');

function describe(error: ErrorObject): Problem {
  const path = jsonPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const schema = (error.parentSchema ?? {}) as Schema;
  const own = messageOf(error);
  if (error.keyword === 'dependencies') {
    const at = fieldPath(path, String(params.property));
    return problemAt(at, own ?? `needs ${String(params.missingProperty)}`);
  }
  if (own !== undefined) return problemAt(path, own);
  const fields = requiredChoice(error);
  if (fields) return problemAt(path, choiceMessage(error.keyword, fields));
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      return problemAt(
        path,
        `unknown field ${JSON.stringify(name)}`,
        closestName(name, Object.keys((schema.properties as object | undefined) ?? {})),
      );
    }
    case 'required':
      return problemAt(path, `missing required field ${JSON.stringify(params.missingProperty)}`);
    case 'enum':
      return problemAt(path, `must be one of ${listed(params.allowedValues)}`);
    case 'pattern':
      if (isFieldKeyPattern(params.pattern)) {
        const meant = typeof error.data === 'string' ? closestFieldKey(error.data) : undefined;
        return problemAt(
          path,
          `unknown key ${JSON.stringify(error.data)} (title, description, severity, integration, labels.<name>)`,
          meant,
        );
      }
      break;
    case 'minItems':
      return problemAt(
        path,
        params.limit === 1 ? 'must be a non-empty list' : `must have at least ${String(params.limit)} items`,
      );
    case 'maxItems':
      return problemAt(path, `must have at most ${String(params.limit)} items`);
    case 'minLength':
      return problemAt(
        path,
        params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters`,
      );
    case 'maxLength':
      return problemAt(path, `must be at most ${String(params.limit)} characters`);
    case 'minimum':
    case 'maximum':
      if (schema.minimum !== undefined && schema.maximum !== undefined)
        return problemAt(path, `must be ${String(schema.minimum)}..${String(schema.maximum)}`);
      break;
  }
  return problemAt(path, error.message ?? 'is invalid');
}

/**
 * Every problem of a failed validation against alertgate.yaml's schema or one of its rule shapes, each at the path
 * of its value from the validated one (`channels[0].drop[1].if`); `prefix` is put before each path. Repeated
 * problems (one failure seen through several branches) are listed once.
 */
export function schemaProblems(errors: readonly ErrorObject[] | null | undefined, prefix = ''): ProblemList {
  const seen = new Set<string>();
  const problems: ProblemList = [];
  for (const error of relevantErrors(errors ?? [])) {
    const problem = describe(error);
    const located = prefix === '' ? problem : { ...problem, path: joinPath(prefix, problem.path) };
    const key = `${located.path}\n${located.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(located);
  }
  return problems;
}

/** `prefix` then a path relative to it: `a` + `b[0]` = `a.b[0]`, `a` + `[0]` = `a[0]`, `a` + `` = `a`. */
export function joinPath(prefix: string, path: string): string {
  if (path === '') return prefix;
  if (prefix === '' || path.startsWith('[')) return `${prefix}${path}`;
  return `${prefix}.${path}`;
}

/**
 * Every problem of one rule given on its own (a silence sent to the API, a rule in a test's table): its shape by
 * schemas/rules.schema.json's `definition` (as alertgate.yaml's rules are checked), then, once the shape is right,
 * what only `check` can see. Paths start at `path`; '' is the rule itself.
 */
export function ruleProblems<Name extends keyof RuleDefinitions>(
  definition: Name,
  value: unknown,
  path: string,
  check?: (rule: RuleDefinitions[Name], path: string) => ProblemList,
): ProblemList {
  const validate = ruleDefinitionValidator(definition);
  if (!validate(value)) return schemaProblems(validate.errors, path);
  return check ? check(value, path) : [];
}
