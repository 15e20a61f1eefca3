import { labelNamePattern } from './limits.js';

/** What a title rule may refer to. */
export interface TitleContext {
  labels: Record<string, string>;
  title?: string;
  titleRule?: string;
  description?: string;
  eventStatus: string;
  alertKey?: string;
  integrationName: string;
  integrationType: string;
}

const templatePrefix = '[TPL]';
const dollarVariable = /\$\{([^}]*)\}/g;
const goAction = /\{\{-?\s*(.*?)\s*-?\}\}/g;
const labelPathExpression = new RegExp(`^\\.Labels\\.(${labelNamePattern})$`);
const singleVariable = new RegExp(`^\\$(${labelNamePattern})$`);

/** A label's value; own properties only, so a label named `constructor` is just a name. */
function labelValue(labels: Record<string, string>, name: string): string | undefined {
  return Object.hasOwn(labels, name) ? labels[name] : undefined;
}

function goField(expression: string, context: TitleContext): string | undefined {
  const labelPath = labelPathExpression.exec(expression);
  if (labelPath) return labelValue(context.labels, labelPath[1]) ?? '';
  const indexCall = /^index\s+\.Labels\s+"([^"]*)"$/.exec(expression);
  if (indexCall) return labelValue(context.labels, indexCall[1]) ?? '';
  const fields: Record<string, string | undefined> = {
    '.Title': context.title,
    '.TitleRule': context.titleRule,
    '.Description': context.description,
    '.EventStatus': context.eventStatus,
    '.EventSeverity': context.eventStatus === 'Ok' ? undefined : context.eventStatus,
    '.AlertKey': context.alertKey,
    '.IntegrationName': context.integrationName,
    '.IntegrationType': context.integrationType,
  };
  if (Object.hasOwn(fields, expression)) return fields[expression] ?? '';
  return undefined;
}

function renderTemplate(template: string, context: TitleContext): string {
  return (
    template
      .replace(dollarVariable, (_match, name: string) => labelValue(context.labels, name.trim()) ?? '<no value>')
      // An expression we do not understand stays verbatim, so the author sees it in the title.
      .replace(goAction, (match, expression: string) => goField(expression, context) ?? match)
  );
}

function renderSegments(rule: string, labels: Record<string, string>): string {
  return rule
    .split('::')
    .map((segment) => {
      const variable = singleVariable.exec(segment.trim());
      return (variable && labelValue(labels, variable[1])) ?? segment;
    })
    .join(' / ');
}

/**
 * Renders a title rule (contract §3): `[TPL]` templates with `${label}` (missing → `<no value>`) and Go-style
 * `{{.Labels.x}}`, `{{.Title}}`… (missing → empty); `$a::$b` joins label values with ` / ` (a missing label stays
 * as written); a rule that is just `$label` takes that label's value; anything else is the title itself.
 * An empty rendering falls back to the rule text, so an alert never has an empty title.
 */
export function renderTitleRule(rule: string, context: TitleContext): string {
  let rendered: string;
  if (rule.startsWith(templatePrefix)) {
    rendered = renderTemplate(rule.slice(templatePrefix.length), context);
  } else if (rule.includes('::')) {
    rendered = renderSegments(rule, context.labels);
  } else {
    const variable = singleVariable.exec(rule.trim());
    rendered = (variable && labelValue(context.labels, variable[1])) ?? rule;
  }
  return rendered.trim() === '' ? rule : rendered;
}
