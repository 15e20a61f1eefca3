import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { receiverProblems, renderRequest, type ReceiverTarget } from '../../src/notify/render.js';
import { compileReceiverTemplate } from '../../src/notify/render.js';
import type { WebhookBody } from '../../src/notify/webhook-body.js';
import { alertBody, incidentBody } from './sample-bodies.js';

const now = 1_764_670_100_123;
const target = (format: ReceiverTarget['format'], extra: Partial<ReceiverTarget> = {}): ReceiverTarget => ({
  id: 'r1',
  url: 'https://hooks.example.com/x?access_token=tok',
  format,
  ...extra,
});

async function rendered(
  format: ReceiverTarget['format'],
  body: WebhookBody = incidentBody('i_new'),
  extra: Partial<ReceiverTarget> = {},
) {
  const request = await renderRequest(target(format, extra), body, now);
  assert.ok(request, `${format} sends ${body.event_type}`);
  return request;
}

test('chat messages show severity, title, channel, alert count, the labels that matter and both links', async () => {
  for (const format of ['slack', 'teams', 'feishu', 'dingtalk', 'wecom'] as const) {
    const { body } = await rendered(format);
    for (const expected of [
      '🔴',
      'Critical',
      'New incident',
      'checkout / p99 latency high',
      'Operations',
      '3 alerts (2 active)',
      'eu-west-1',
      'web-7',
      'prod',
      'https://alertgate.example.com/incidents/01KINCIDENT0000000000000001',
      'https://grafana.example.com/d/abc?orgId=1&var-host=web-7',
    ])
      assert.ok(body.includes(expected), `${format} shows ${expected}: ${body}`);
    // The `severity` label is already the headline: not among the labels shown.
    assert.ok(!body.includes('critical'), `${format} repeats the severity label`);
  }
});

test('a resolve is green with ✅, an acknowledge names who did it, a storm its alert count', async () => {
  const resolved = await rendered('slack', incidentBody('i_rslv'));
  assert.match(resolved.body, /✅ Resolved/);
  assert.doesNotMatch(resolved.body, /🔴/);
  const acked = await rendered('teams', incidentBody('i_ack'));
  assert.match(acked.body, /Acknowledged by Alice Martin/);
  const storm = await rendered('feishu', incidentBody('i_storm'));
  assert.match(storm.body, /Alert storm: 50 alerts/);
  const card = JSON.parse((await rendered('feishu', incidentBody('i_close'))).body) as {
    card: { header: { template: string } };
  };
  assert.equal(card.card.header.template, 'green');
  const alert = await rendered('wecom', alertBody('a_new'));
  assert.match(alert.body, /🟠 Warning · New alert/);
});

test('Slack: user text cannot inject mrkdwn links or mentions (<, >, & are escaped)', async () => {
  const { body } = await rendered('slack', incidentBody('i_new', { title: '<!channel> disk & <http://evil|click>' }));
  assert.ok(body.includes('&lt;!channel&gt; disk &amp; &lt;http://evil|click&gt;'));
  assert.ok(!body.includes('<!channel>'));
});

test('Feishu signature: timestamp in seconds, sign = base64(HMAC-SHA256(key "<ts>\\n<secret>", empty message))', async () => {
  const secret = 'fs-secret-😀';
  const sent = JSON.parse((await rendered('feishu', incidentBody('i_new'), { secret })).body) as Record<string, string>;
  assert.equal(sent.timestamp, String(Math.floor(now / 1000)));
  // Independent implementation, as Feishu's documentation gives it (Python: hmac.new(key_enc, b"", sha256)).
  const key = Buffer.from(`${sent.timestamp}\n${secret}`, 'utf8');
  const expected = createHmac('sha256', key).update(Buffer.alloc(0)).digest().toString('base64');
  assert.equal(sent.sign, expected);
  const unsigned = JSON.parse((await rendered('feishu')).body) as Record<string, unknown>;
  assert.ok(!('sign' in unsigned) && !('timestamp' in unsigned));
});

test('DingTalk signature: URL gets timestamp (ms) and sign = urlencode(base64(HMAC-SHA256(secret, "<ts>\\n<secret>")))', async () => {
  const secret = 'SECabc+/=';
  const { url } = await rendered('dingtalk', incidentBody('i_new'), { secret });
  const query = url.slice(url.indexOf('?') + 1).split('&');
  assert.deepEqual(query[0], 'access_token=tok');
  const timestamp = query.find((part) => part.startsWith('timestamp='))?.slice('timestamp='.length);
  const sign = query.find((part) => part.startsWith('sign='))?.slice('sign='.length);
  assert.equal(timestamp, String(now));
  // Independent implementation, as DingTalk's documentation gives it (Python: quote_plus(b64encode(hmac.new(...)))).
  const digest = createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(Buffer.from(`${timestamp}\n${secret}`, 'utf8'))
    .digest();
  assert.equal(sign !== undefined && decodeURIComponent(sign.replace(/\+/g, ' ')), digest.toString('base64'));
  assert.doesNotMatch(sign ?? '', /[+/=]/, 'the base64 signature is URL-encoded');
  assert.equal((await rendered('dingtalk')).url, 'https://hooks.example.com/x?access_token=tok');
});

test('forwarding formats: URLs, credentials and keys', async () => {
  const pd = await rendered('pagerduty', incidentBody('i_ack'), { url: '', routing_key: 'rk' });
  assert.equal(pd.url, 'https://events.pagerduty.com/v2/enqueue');
  assert.deepEqual(JSON.parse(pd.body), {
    routing_key: 'rk',
    event_action: 'acknowledge',
    dedup_key: '01KINCIDENT0000000000000001',
  });
  const og = await rendered('opsgenie', incidentBody('i_rslv'), {
    url: 'https://api.opsgenie.com/v2/alerts/',
    api_key: 'gk',
  });
  assert.equal(og.url, 'https://api.opsgenie.com/v2/alerts/01KINCIDENT0000000000000001/close?identifierType=alias');
  assert.equal(og.headers.Authorization, 'GenieKey gk');
  const ogDefault = await rendered('opsgenie', incidentBody('i_new'), { url: '', api_key: 'gk' });
  assert.equal(ogDefault.url, 'https://api.opsgenie.com/v2/alerts');
  assert.equal((JSON.parse(ogDefault.body) as { alias: string }).alias, '01KINCIDENT0000000000000001');
  const fd = await rendered('flashduty', incidentBody('i_close'), { url: '', api_key: 'ik' });
  assert.equal(fd.url, 'https://api.flashcat.cloud/event/push/alert/standard?integration_key=ik');
  assert.deepEqual(
    { status: JSON.parse(fd.body).event_status, key: JSON.parse(fd.body).alert_key },
    { status: 'Ok', key: '01KINCIDENT0000000000000001' },
  );
  for (const format of ['pagerduty', 'opsgenie', 'flashduty'] as const)
    assert.equal(
      await renderRequest(target(format, { routing_key: 'rk', api_key: 'k' }), alertBody('a_update'), now),
      undefined,
    );
});

test('alertgate template: a JSONata expression over the body produces the request body', async () => {
  const template = `{
    "text": incident.title & " (" & incident.incident_severity & ")",
    "labels": $keys(incident.labels),
    "at": $receivedAt
  }`;
  const { body } = await rendered('alertgate', incidentBody('i_new'), { template });
  assert.deepEqual(JSON.parse(body), {
    text: 'checkout / p99 latency high (Critical)',
    labels: ['service', 'cluster', 'host', 'env', 'severity'],
    at: incidentBody('i_new').event_time,
  });
  // A template that yields nothing for an event sends nothing for it.
  const only = target('alertgate', { template: `event_type = 'i_new' ? {"new": incident.incident_id}` });
  assert.equal(await renderRequest(only, incidentBody('i_ack'), now), undefined);
  assert.ok(await renderRequest(only, incidentBody('i_new'), now));
});

test('a template is compiled once, and a bad one is refused at load with line and column', () => {
  const source = '{"a": incident.title}';
  assert.equal(compileReceiverTemplate(source, 'webhooks[0].template'), compileReceiverTemplate(source, 'other'));
  assert.throws(() => compileReceiverTemplate('{\n  "a": incident.title +\n}', 'webhooks[1].template'), {
    message: /^webhooks\[1\]\.template:3:1: JSONata S0\d+: /,
  });
  assert.throws(() => compileReceiverTemplate('{"at": $now()}', 'webhooks[2].template'), {
    message: /^webhooks\[2\]\.template:1:8: \$now\(\) is not allowed/,
  });
});

test('a template that fails on a body rejects with its JSONata error (the delivery cannot succeed as it is)', async () => {
  const failing = target('alertgate', { template: '$error("no " & event_type)' });
  await assert.rejects(renderRequest(failing, incidentBody('i_new'), now), {
    code: 'InvalidParameter',
    message: /no i_new/,
  });
});

test('receiverProblems names missing credentials, misplaced templates and bad templates', () => {
  assert.deepEqual(receiverProblems(target('slack'), 'webhooks[0]'), []);
  assert.deepEqual(receiverProblems(target('pagerduty', { url: '' }), 'webhooks[1]'), [
    "webhooks[1].routing_key: the pagerduty format needs the integration's routing key",
  ]);
  assert.deepEqual(receiverProblems(target('opsgenie', { url: '', api_key: 'k' }), 'webhooks[2]'), []);
  assert.deepEqual(receiverProblems(target('slack', { url: '' }), 'webhooks[3]'), [
    "webhooks[3].url: the slack format needs the receiver's URL",
  ]);
  assert.deepEqual(receiverProblems(target('teams', { template: '{}' }), 'webhooks[4]'), [
    'webhooks[4].template: only the alertgate format takes a template (teams has its own body)',
  ]);
  assert.deepEqual(receiverProblems(target('flashduty', { url: '' }), 'webhooks[5]'), [
    'webhooks[5].api_key: the flashduty format needs an integration key (api_key or in the URL)',
  ]);
  const [problem] = receiverProblems(target('alertgate', { template: '{"a": }' }), 'webhooks[6]');
  assert.match(problem, /^webhooks\[6\]\.template:1:\d+: JSONata /);
});
