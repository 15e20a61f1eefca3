import { keyValue, type FilterSubject } from './filter.js';

/** `${label}` or a Go-style action `{{ … }}`, in one pass so a rendered value is never rendered again. */
const placeholder = /\$\{([^}]*)\}|\{\{-?\s*(.*?)\s*-?\}\}/g;

function actionValue(expression: string, subject: FilterSubject): string | undefined {
  const field = /^\.(title|description|severity)$/i.exec(expression);
  if (field) return keyValue(subject, field[1].toLowerCase()) ?? '';
  const label =
    /^\.labels\.([A-Za-z_][A-Za-z0-9_]*)$/i.exec(expression) ?? /^index\s+\.labels\s+"([^"]*)"$/i.exec(expression);
  if (label) return keyValue(subject, `labels.${label[1]}`) ?? '';
  return undefined;
}

/**
 * Renders a composition template: `{{.title}}`, `{{.description}}`, `{{.severity}}`, `{{.labels.x}}`,
 * `{{index .labels "x"}}` (field names in any case, so `{{.Labels.x}}` works too) and `${x}` for label x.
 * Missing values render empty (Flashduty's current behaviour); an expression it does not know stays verbatim.
 */
export function renderLabelTemplate(template: string, subject: FilterSubject): string {
  return template.replace(placeholder, (match, label: string | undefined, expression: string | undefined) => {
    if (label !== undefined) return keyValue(subject, `labels.${label.trim()}`) ?? '';
    return actionValue(expression ?? '', subject) ?? match;
  });
}
