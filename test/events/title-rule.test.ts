import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTitleRule, type TitleContext } from '../../src/events/title-rule.js';

const context: TitleContext = {
  labels: { resource: '127.0.0.1', check: 'cpu idle low', constructor_x: 'c' },
  title: 'Original',
  description: 'the description',
  eventStatus: 'Critical',
  alertKey: 'key-1',
  integrationName: 'Prom main',
  integrationType: 'prometheus',
};

const cases: Array<[string, string, Partial<TitleContext>?]> = [
  ['cpu idle low than 20%', 'cpu idle low than 20%'],
  ['$resource::$check', '127.0.0.1 / cpu idle low'],
  ['$resource::$missing', '127.0.0.1 / $missing'],
  ['$resource::Host Down', '127.0.0.1 / Host Down'],
  ['$resource', '127.0.0.1'],
  ['costs $5 today', 'costs $5 today'],
  ['$constructor::x', '$constructor / x'],
  ['[TPL]${resource} / ${check}', '127.0.0.1 / cpu idle low'],
  ['[TPL]${resource} / ${missing}', '127.0.0.1 / <no value>'],
  ['[TPL]{{.Labels.resource}} {{.Labels.missing}}!', '127.0.0.1 !'],
  ['[TPL]{{ .Labels.check }}', 'cpu idle low'],
  ['[TPL]{{index .Labels "resource"}}', '127.0.0.1'],
  [
    '[TPL]{{.Title}} | {{.Description}} | {{.EventStatus}} | {{.AlertKey}} | {{.IntegrationName}} | {{.IntegrationType}}',
    'Original | the description | Critical | key-1 | Prom main | prometheus',
  ],
  ['[TPL]{{.Unknown}} stays', '{{.Unknown}} stays'],
  ['[TPL]{{.Labels.missing}}', '[TPL]{{.Labels.missing}}'],
];

for (const [rule, expected, extra] of cases) {
  test(`renders ${JSON.stringify(rule)} → ${JSON.stringify(expected)}`, () => {
    assert.equal(renderTitleRule(rule, { ...context, ...extra }), expected);
  });
}
