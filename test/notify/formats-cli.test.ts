import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { packageRoot } from '../../src/paths.js';
import { incidentBody } from './sample-bodies.js';

// `alertgate webhook try`, through the real CLI binary.
const cli = join(packageRoot, 'dist', 'src', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'alertgate-webhook-try-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const config = join(dir, 'alertgate.yaml');
writeFileSync(
  config,
  `channels:
  - id: ops
    name: Operations
integrations:
  - id: std
    adapter: standard
    key: k-000000000001
    channel: ops
webhooks:
  - id: team-slack
    url: https://hooks.slack.com/services/T000/B000/XXXX
    format: slack
  - id: ding
    url: https://oapi.dingtalk.com/robot/send?access_token=tok-123
    format: dingtalk
    secret: \${DING_SECRET}
  - id: pd
    format: pagerduty
    routing_key: R0123456789abcdef0123456789abcde
  - id: own
    url: https://example.com/hook
    secret: own-secret
    headers: { X-Api-Key: supersecret, X-Team: sre }
    template: |
      {"text": incident.title, "severity": incident.incident_severity, "link": incident.detail_url}
  - id: broken
    url: https://example.com/hook
    template: |
      {
        "text": incident.title &
      }
`,
);

/** An incident as `GET /api/v1/incidents/{id}` answers it (times in ms). */
const incidentFile = join(dir, 'incident.json');
writeFileSync(
  incidentFile,
  JSON.stringify({
    request_id: 'r1',
    data: {
      incident: {
        incident_id: '01KABCDEF',
        channel_id: 'ops',
        title: 'db1 / cpu idle low',
        description: 'idle 3%',
        incident_severity: 'Critical',
        incident_status: 'Critical',
        progress: 'Triggered',
        labels: { resource: 'db1', service: 'checkout' },
        alert_cnt: 1,
        active_alert_cnt: 1,
        group_method: 'p',
        start_time: 1_764_670_000_000,
        last_time: 1_764_670_000_000,
        end_time: null,
        ack_time: null,
        close_time: null,
        created_at: 1_764_670_000_000,
        updated_at: 1_764_670_000_000,
      },
      alerts: [{ labels: { link: 'https://grafana.example.com/d/x' } }],
      timeline: [],
    },
  }),
);
const bodyFile = join(dir, 'body.json');
writeFileSync(bodyFile, JSON.stringify(incidentBody('i_rslv')));

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [cli, 'webhook', 'try', ...args, '--config', config], {
    encoding: 'utf8',
    env: { ...process.env, PUBLIC_URL: 'https://alertgate.example.com', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The printed request: `POST url`, headers, a blank line, the body (indented JSON). */
function parseRequest(stdout: string) {
  const [head, ...rest] = stdout.split('\n\n');
  const [requestLine, ...headerLines] = head.split('\n');
  const headers = Object.fromEntries(headerLines.map((line) => line.split(': ', 2) as [string, string]));
  return { requestLine, headers, body: JSON.parse(rest.join('\n\n')) as Record<string, unknown> };
}

test('an incident from the API, sent to Slack: URL, headers and the Block Kit body, with links from PUBLIC_URL', () => {
  const { code, stdout, stderr } = run(['team-slack', incidentFile]);
  assert.equal(code, 0, stderr);
  const request = parseRequest(stdout);
  assert.equal(request.requestLine, 'POST https://hooks.slack.com/services/T000/B000/XXXX');
  assert.deepEqual(request.headers, { 'Content-Type': 'application/json' });
  assert.equal(request.body.text, '🔴 Critical · New incident: db1 / cpu idle low');
  const text = JSON.stringify(request.body);
  assert.ok(text.includes('https://alertgate.example.com/api/v1/incidents/01KABCDEF'));
  assert.ok(text.includes('https://grafana.example.com/d/x'));
  assert.ok(text.includes('Operations'), 'the channel name comes from the configuration');
  assert.match(stderr, /receiver team-slack, format slack, event i_new/);
});

test('DingTalk: the access token is hidden, the signature shown and right; --event picks the change', () => {
  const { code, stdout, stderr } = run(['ding', incidentFile, '--event', 'i_ack'], { DING_SECRET: 'SECdemo' });
  assert.equal(code, 0, stderr);
  const request = parseRequest(stdout);
  const url = new URL(request.requestLine.slice('POST '.length));
  assert.equal(url.searchParams.get('access_token'), '<redacted>');
  assert.ok(!stdout.includes('tok-123'));
  const timestamp = String(url.searchParams.get('timestamp'));
  const expected = createHmac('sha256', 'SECdemo').update(`${timestamp}\nSECdemo`).digest('base64');
  assert.equal(url.searchParams.get('sign'), expected);
  assert.match(String((request.body.markdown as { title: string }).title), /Acknowledged/);
});

test('PagerDuty: the routing key is hidden; a change the format does not forward prints that nothing is sent', () => {
  const resolve = run(['pd', bodyFile]);
  assert.equal(resolve.code, 0, resolve.stderr);
  const request = parseRequest(resolve.stdout);
  assert.equal(request.requestLine, 'POST https://events.pagerduty.com/v2/enqueue');
  assert.deepEqual(request.body, {
    routing_key: '<redacted>',
    event_action: 'resolve',
    dedup_key: '01KINCIDENT0000000000000001',
  });
  const comment = run(['pd', bodyFile, '--event', 'i_comm']);
  assert.deepEqual([comment.code, comment.stdout], [0, 'pd (pagerduty) sends nothing for i_comm\n']);
});

test('a template receiver prints the template result; secret headers are hidden, others shown', () => {
  const { code, stdout, stderr } = run(['own', bodyFile]);
  assert.equal(code, 0, stderr);
  const request = parseRequest(stdout);
  assert.deepEqual(request.headers, {
    'Content-Type': 'application/json',
    'X-Api-Key': '<redacted>',
    'X-Team': 'sre',
  });
  assert.deepEqual(request.body, {
    text: 'checkout / p99 latency high',
    severity: 'Critical',
    link: 'https://alertgate.example.com/incidents/01KINCIDENT0000000000000001',
  });
});

test('errors: exit 1 with the reason (unknown receiver, bad template with line:column, unset variable, bad file)', () => {
  const unknown = run(['nope', bodyFile]);
  assert.deepEqual(
    [unknown.code, unknown.stderr],
    [1, 'alertgate: no receiver with id "nope" under webhooks: (receivers: team-slack, ding, pd, own, broken)\n'],
  );
  const broken = run(['broken', bodyFile]);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /^alertgate: webhooks\[4\]\.template:3:1: JSONata S0\d+: /);
  const unset = run(['ding', bodyFile]);
  assert.deepEqual(
    [unset.code, unset.stderr],
    [1, 'alertgate: webhooks[1].secret: environment variable DING_SECRET is not set\n'],
  );
  writeFileSync(join(dir, 'other.json'), '{"hello": 1}');
  const other = run(['team-slack', join(dir, 'other.json')]);
  assert.equal(other.code, 1);
  assert.match(other.stderr, /neither a webhook body .* nor an incident/);
  const event = run(['team-slack', incidentFile, '--event', 'i_nope']);
  assert.equal(event.code, 1);
  assert.match(event.stderr, /--event must be one of i_new, /);
});
