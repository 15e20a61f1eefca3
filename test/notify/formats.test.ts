import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import { packageRoot } from '../../src/paths.js';
import { renderRequest, type OutboundFormatName, type ReceiverTarget } from '../../src/notify/render.js';
import type { WebhookBody } from '../../src/notify/webhook-body.js';
import { validateStandardAlert } from '../../src/schemas.js';
import { alertBody, everyBody, hostileText, incidentBody } from './sample-bodies.js';

// Each format's request body is checked against a shape written from the vendor's documented schema and limits.
const ajv = new Ajv({ allErrors: true, strict: false });
const shape = (file: string): ValidateFunction =>
  ajv.compile(JSON.parse(readFileSync(join(packageRoot, 'test', 'notify', 'shapes', file), 'utf8')) as object);
const shapes = {
  slack: shape('slack-incoming-webhook.schema.json'),
  teams: shape('teams-adaptive-card.schema.json'),
  feishu: shape('feishu-interactive.schema.json'),
  dingtalk: shape('dingtalk-markdown.schema.json'),
  wecom: shape('wecom-markdown.schema.json'),
  pagerduty: shape('pagerduty-events-v2.schema.json'),
  opsgenieCreate: shape('opsgenie-create-alert.schema.json'),
  opsgenieAction: shape('opsgenie-alert-action.schema.json'),
};

const now = 1_764_670_100_000;
const targets: Record<OutboundFormatName, ReceiverTarget> = {
  alertgate: { id: 'own', url: 'https://hooks.example.com/alertgate', format: 'alertgate', secret: 's3cret' },
  slack: { id: 'slack', url: 'https://hooks.slack.com/services/T0/B0/XXXX', format: 'slack' },
  teams: {
    id: 'teams',
    url: 'https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke',
    format: 'teams',
  },
  feishu: {
    id: 'feishu',
    url: 'https://open.feishu.cn/open-apis/bot/v2/hook/abc',
    format: 'feishu',
    secret: 'feishu-secret',
  },
  dingtalk: {
    id: 'ding',
    url: 'https://oapi.dingtalk.com/robot/send?access_token=tok',
    format: 'dingtalk',
    secret: 'SEC123',
  },
  wecom: { id: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', format: 'wecom' },
  pagerduty: { id: 'pd', url: '', format: 'pagerduty', routing_key: 'R0123456789abcdef0123456789abcde' },
  opsgenie: { id: 'og', url: 'https://api.eu.opsgenie.com', format: 'opsgenie', api_key: 'genie-key' },
  flashduty: {
    id: 'fd',
    url: 'https://api.flashcat.cloud/event/push/alert/standard?integration_key=fdkey',
    format: 'flashduty',
  },
};

/** Which changes each forwarding format sends (everything else: nothing). Chat formats and alertgate send all. */
const forwarded: Record<'pagerduty' | 'opsgenie' | 'flashduty', Record<string, string>> = {
  pagerduty: { i_new: 'trigger', i_reopen: 'trigger', i_ack: 'acknowledge', i_rslv: 'resolve', i_close: 'resolve' },
  opsgenie: {
    i_new: '/v2/alerts',
    i_reopen: '/v2/alerts',
    i_ack: '/acknowledge?identifierType=alias',
    i_unack: '/unacknowledge?identifierType=alias',
    i_rslv: '/close?identifierType=alias',
    i_close: '/close?identifierType=alias',
  },
  flashduty: { i_new: 'Critical', i_reopen: 'Critical', i_rslv: 'Ok', i_close: 'Ok' },
};

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function assertShape(validate: ValidateFunction, value: unknown, what: string): void {
  assert.ok(validate(value), `${what}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 2000)}`);
}

/** Checks one rendered request against its format's documented shape and size limits. */
function checkShape(format: OutboundFormatName, body: WebhookBody, url: string, sent: unknown, bytes: number): void {
  const what = `${format} ${body.event_type}`;
  switch (format) {
    case 'alertgate':
      return assert.deepEqual(sent, body);
    case 'slack':
    case 'dingtalk':
      return assertShape(shapes[format], sent, what);
    case 'teams':
      assertShape(shapes.teams, sent, what);
      return assert.ok(bytes < 28 * 1024, `${what}: ${bytes} bytes, Teams takes less than 28 KB`);
    case 'feishu':
      assertShape(shapes.feishu, sent, what);
      return assert.ok(bytes <= 20 * 1024, `${what}: ${bytes} bytes, Feishu takes at most 20 KB`);
    case 'wecom': {
      assertShape(shapes.wecom, sent, what);
      const content = (sent as { markdown: { content: string } }).markdown.content;
      return assert.ok(Buffer.byteLength(content) <= 4096, `${what}: ${Buffer.byteLength(content)} bytes`);
    }
    case 'pagerduty':
      assertShape(shapes.pagerduty, sent, what);
      return assert.equal((sent as { event_action: string }).event_action, forwarded.pagerduty[body.event_type]);
    case 'opsgenie': {
      const create = url.endsWith('/v2/alerts');
      assertShape(create ? shapes.opsgenieCreate : shapes.opsgenieAction, sent, what);
      if (create) {
        const details = (sent as { details: Record<string, string> }).details;
        const chars = Object.entries(details).reduce((sum, [key, value]) => sum + key.length + value.length, 0);
        assert.ok(chars <= 8000, `${what}: details of ${chars} characters`);
      }
      return assert.ok(url.endsWith(forwarded.opsgenie[body.event_type]), `${what}: ${url}`);
    }
    case 'flashduty':
      assert.ok(validateStandardAlert(sent), `${what}: ${ajv.errorsText(validateStandardAlert.errors)}`);
      return assert.equal((sent as { event_status: string }).event_status, forwarded.flashduty[body.event_type]);
  }
}

const hostileBodies = (): WebhookBody[] => [
  incidentBody('i_new', {
    title: hostileText,
    description: hostileText,
    channel_name: hostileText,
    labels: Object.fromEntries(
      ['service', 'cluster', 'host', 'instance', 'resource', 'env', 'region', 'team', 'pod', 'app', 'namespace'].map(
        (name) => [name, hostileText],
      ),
    ),
    incident_id: 'x'.repeat(600),
  }),
  incidentBody('i_ack', { incident_id: 'x'.repeat(600) }),
  alertBody('a_new', { title: hostileText, description: hostileText, labels: { host: hostileText } }),
];

for (const format of Object.keys(targets) as OutboundFormatName[]) {
  describe(`format ${format}`, () => {
    test('every event type renders to the documented shape, or to nothing where the format forwards none', async () => {
      for (const body of everyBody()) {
        const rendered = await renderRequest(targets[format], body, now);
        const expectsNothing = format in forwarded && !(body.event_type in forwarded[format as keyof typeof forwarded]);
        if (expectsNothing) {
          assert.equal(rendered, undefined, `${format} ${body.event_type} should send nothing`);
          continue;
        }
        assert.ok(rendered, `${format} ${body.event_type} should send a request`);
        assert.equal(rendered.headers['Content-Type'], 'application/json');
        checkShape(format, body, rendered.url, JSON.parse(rendered.body), Buffer.byteLength(rendered.body));
      }
    });

    test('long titles, labels and ids in any script are cut within the limits, never inside a character', async () => {
      for (const body of hostileBodies()) {
        const rendered = await renderRequest(targets[format], body, now);
        if (rendered === undefined) continue;
        assert.doesNotMatch(rendered.body, loneSurrogate);
        if (format === 'alertgate') continue;
        checkShape(format, body, rendered.url, JSON.parse(rendered.body), Buffer.byteLength(rendered.body));
      }
    });
  });
}
