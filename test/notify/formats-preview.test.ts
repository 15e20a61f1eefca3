import assert from 'node:assert/strict';
import { test } from 'node:test';
import { receiverFromDocument, redactRequest, webhookBodyFrom } from '../../src/notify/formats/preview.js';
import { incidentBody } from './sample-bodies.js';

const options = { publicUrl: 'https://ag.example.com', channelNames: { ops: 'Operations' }, now: 1_764_670_000_000 };
const incident = {
  incident_id: '01KX',
  channel_id: 'ops',
  title: 't',
  incident_severity: 'Warning',
  progress: 'Processing',
  labels: { host: 'h1' },
  alert_cnt: 2,
  active_alert_cnt: 1,
  start_time: 1_764_669_000_500,
  ack_time: 1_764_669_500_000,
  end_time: null,
};

test('an incident is taken from the API answer, its data, or alone; times become seconds, links come from PUBLIC_URL', () => {
  for (const document of [{ request_id: 'r', data: { incident, alerts: [] } }, { incident }, incident]) {
    const body = webhookBodyFrom(document, options);
    assert.equal(body.event_type, 'i_new');
    assert.ok('incident' in body);
    assert.deepEqual(
      [body.incident.start_time, body.incident.ack_time, body.incident.end_time, body.incident.channel_name],
      [1_764_669_000, 1_764_669_500, 0, 'Operations'],
    );
    assert.equal(body.incident.detail_url, 'https://ag.example.com/api/v1/incidents/01KX');
  }
  const acked = webhookBodyFrom(
    { data: { incident, alerts: [{ labels: { url: 'https://src.example.com/1' } }] } },
    {
      ...options,
      eventType: 'i_ack',
    },
  );
  assert.equal(acked.event_type, 'i_ack');
  assert.equal('incident' in acked && acked.incident.source_url, 'https://src.example.com/1');
});

test('a webhook body is taken as it is (only --event replaces its type)', () => {
  const body = incidentBody('i_rslv');
  assert.deepEqual(webhookBodyFrom(body, options), body);
  assert.equal(webhookBodyFrom(body, { ...options, eventType: 'i_close' }).event_type, 'i_close');
  assert.throws(() => webhookBodyFrom([1, 2], options), /neither a webhook body/);
});

test('a receiver is read from the document with ${VAR} substituted and checked for its format', () => {
  const document = {
    webhooks: [
      { id: 'a', url: 'https://x', format: 'slack' },
      { id: 'pd', format: 'pagerduty', routing_key: '${RK}', headers: { 'X-Token': '${RK}' } },
    ],
  };
  assert.deepEqual(receiverFromDocument(document, 'pd', { RK: 'key-1' }), {
    id: 'pd',
    url: '',
    format: 'pagerduty',
    routing_key: 'key-1',
    headers: { 'X-Token': 'key-1' },
  });
  assert.throws(
    () => receiverFromDocument(document, 'pd', {}),
    /^Error: webhooks\[1\]\.headers\.X-Token: environment variable RK is not set$/,
  );
  assert.throws(
    () => receiverFromDocument({ webhooks: [{ id: 'x', format: 'fax' }] }, 'x', {}),
    /webhooks\[0\]\.format: must be one of alertgate, slack/,
  );
  assert.throws(() => receiverFromDocument({}, 'x', {}), /no receiver with id "x" under webhooks: \(receivers: none\)/);
});

test('redaction hides credential query parameters, credential headers and the routing key, nothing else', () => {
  const shown = redactRequest(
    {
      url: 'https://oapi.dingtalk.com/robot/send?access_token=t0k&timestamp=1&sign=abc',
      headers: { 'Content-Type': 'application/json', Authorization: 'GenieKey k' },
      body: '{"routing_key":"rk-1","summary":"rk-1 is also text"}',
    },
    { id: 'r', url: '', format: 'pagerduty', routing_key: 'rk-1', headers: { 'X-Team': 'sre', 'X-Api-Key': 'k2' } },
  );
  assert.equal(shown.url, 'https://oapi.dingtalk.com/robot/send?access_token=<redacted>&timestamp=1&sign=abc');
  assert.deepEqual(shown.headers, {
    'Content-Type': 'application/json',
    Authorization: '<redacted>',
    'X-Team': 'sre',
    'X-Api-Key': '<redacted>',
  });
  assert.equal(shown.body, '{"routing_key":"<redacted>","summary":"rk-1 is also text"}');
});
