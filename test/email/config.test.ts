import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildConfig, ConfigError } from '../../src/config/load-config.js';
import { readSettings } from '../../src/config/settings.js';
import { applyConfigFragment } from '../../src/dry-run/fragment.js';
import { Mailboxes } from '../../src/email/mailboxes.js';
import { banner } from '../../src/main.js';

const smtp = { listen: 2525, domain: 'alerts.example.com' };
const channels = [{ id: 'ops' }];

function problems(document: unknown): string[] {
  try {
    buildConfig(document, 'test.yaml', {}, new Set(['prometheus']));
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

test('the configuration names of the issue build: smtp, email integrations without a key', () => {
  const config = buildConfig(
    {
      smtp: { ...smtp, max_size: '5mb' },
      channels,
      integrations: [
        {
          id: 'backup-mail',
          name: 'Backups',
          adapter: 'email',
          channel: 'ops',
          email: { prefix: 'backups', mode: 'new_alert' },
        },
        {
          id: 'jobs',
          adapter: 'email',
          channel: 'ops',
          email: {
            prefix: 'jobs',
            mode: 'rules',
            rules: [{ body: '(?i)resolved', status: 'Ok', alert_key: 'job (\\w+)' }],
          },
        },
      ],
    },
    'test.yaml',
    {},
    new Set(['prometheus']),
  );
  assert.deepEqual(config.smtp, {
    port: 2525,
    host: '0.0.0.0',
    domain: 'alerts.example.com',
    maxSizeBytes: 5 * 1024 * 1024,
  });
  assert.equal(config.integrations[0].key, '', 'no push key');
  assert.equal(config.integrations[0].email?.mode, 'new_alert');
  assert.equal(config.integrations[1].email?.rules[0].status, 'Ok');
  assert.ok(config.integrations[1].email?.rules[0].body?.test('job nightly RESOLVED'));
  assert.equal(config.integrations[1].email?.discardUnmatched, false);
});

test('mistakes in email integrations are listed as path: message', () => {
  const found = problems({
    smtp,
    channels,
    integrations: [
      { id: 'a', adapter: 'email', channel: 'ops', email: { prefix: 'Backups!' } },
      { id: 'b', adapter: 'email', channel: 'ops' },
      { id: 'c', adapter: 'email', channel: 'ops', email: { prefix: 'same' } },
      { id: 'd', adapter: 'email', channel: 'ops', email: { prefix: 'same', mode: 'sometimes' } },
    ],
  });
  assert.deepEqual(found.sort(), [
    'integrations[0].email.prefix: must match pattern "^[a-z0-9][a-z0-9-]*$"',
    'integrations[1]: missing required field "email"',
    'integrations[3].email.mode: must be one of new_alert, by_subject, rules',
  ]);
  // Which fields go together is the schema's.
  assert.deepEqual(
    problems({
      smtp,
      channels,
      integrations: [
        {
          id: 'd',
          adapter: 'email',
          channel: 'ops',
          email: { prefix: 'd', rules: [{ subject: 'x', status: 'Ok' }] },
        },
        { id: 'e', adapter: 'email', channel: 'ops', email: { prefix: 'e', mode: 'rules' } },
        { id: 'f', adapter: 'email', channel: 'ops', email: { prefix: 'f', mode: 'rules', rules: [{ status: 'Ok' }] } },
        { id: 'g', adapter: 'standard', key: 'key-gggggggg', channel: 'ops', email: { prefix: 'g' } },
      ],
    }),
    [
      'integrations[0].email.rules: rules apply only with mode: rules (the default mode is new_alert)',
      'integrations[1].email: mode rules needs at least one rule',
      'integrations[2].email.rules[0]: needs at least one of subject, body, from',
      'integrations[3].email: only integrations with adapter: email have a mailbox',
    ],
  );
  // Prefixes, the smtp section and regexes are checked by code, once the shape is right.
  assert.deepEqual(
    problems({
      channels,
      integrations: [
        { id: 'c', adapter: 'email', channel: 'ops', email: { prefix: 'same' } },
        { id: 'd', adapter: 'email', channel: 'ops', email: { prefix: 'same' } },
        {
          id: 'f',
          adapter: 'email',
          channel: 'ops',
          email: {
            prefix: 'f',
            mode: 'rules',
            rules: [
              { subject: 'x', status: 'Ok' },
              { subject: '(a+)+$', status: 'Info' },
            ],
          },
        },
      ],
    }),
    [
      'integrations[0].email: email integrations need an smtp: section (listen, domain)',
      'integrations[1].email.prefix: "same" is already the prefix of integrations[0]',
      'integrations[1].email: email integrations need an smtp: section (listen, domain)',
      'integrations[2].email: email integrations need an smtp: section (listen, domain)',
      'integrations[2].email.rules[1].subject: nested quantifier',
    ],
  );
});

test('other integrations still need a key; smtp is checked', () => {
  assert.deepEqual(problems({ channels, integrations: [{ id: 'x', adapter: 'standard', channel: 'ops' }] }), [
    'integrations[0]: missing required field "key"',
  ]);
  assert.deepEqual(
    problems({ smtp: { listen: 70000, domain: 'not a domain', max_size: 'huge', tls: { key: 'k' } } }).sort(),
    [
      'smtp.listen: must be 0..65535',
      'smtp.max_size: must match pattern "^[0-9]+(b|kb|mb)?$"',
      'smtp.tls: missing required field "cert"',
      'smtp.domain: must match pattern "^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$"',
    ].sort(),
  );
});

test('a dry-run fragment with an email integration takes the running smtp section', () => {
  const base = buildConfig({ smtp, channels, integrations: [] }, 'test.yaml', {});
  const fragment = {
    integrations: [{ id: 'mail', adapter: 'email', channel: 'ops', email: { prefix: 'mail', mode: 'by_subject' } }],
  };
  const applied = applyConfigFragment(base, fragment);
  assert.equal(applied.integrations[0].email?.mode, 'by_subject');
  const withoutSmtp = buildConfig({ channels, integrations: [] }, 'test.yaml', {});
  assert.throws(
    () => applyConfigFragment(withoutSmtp, fragment),
    /config\.integrations\[0\]\.email: email integrations need an smtp: section/,
  );
});

test('start-up names each mailbox; mailboxes are found case-insensitively and follow a new configuration', () => {
  const config = buildConfig(
    { smtp, channels, integrations: [{ id: 'mail', adapter: 'email', channel: 'ops', email: { prefix: 'backups' } }] },
    'test.yaml',
    {},
  );
  const text = banner(readSettings({ ADMIN_TOKEN: 'chosen-token-1234' }, 1), config, false, {
    gateway: true,
    worker: true,
  });
  assert.match(text, /mail \(email\): mail to backups@alerts\.example\.com \(SMTP port 2525\)/);
  const mailboxes = new Mailboxes(config);
  assert.equal(mailboxes.find('Backups@Alerts.Example.com')?.id, 'mail');
  assert.equal(mailboxes.find('backups@elsewhere.example.com'), undefined);
  mailboxes.update(
    buildConfig(
      { smtp, channels, integrations: [{ id: 'mail', adapter: 'email', channel: 'ops', email: { prefix: 'nas' } }] },
      'test.yaml',
      {},
    ),
  );
  assert.deepEqual(mailboxes.addresses(), ['nas@alerts.example.com']);
});
