import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfigFile } from '../../src/config/load-config.js';
import { closestName } from '../../src/did-you-mean.js';

function problemsOf(text: string): { file: string; problems: string[] } {
  const file = join(mkdtempSync(join(tmpdir(), 'alertgate-config-')), 'alertgate.yaml');
  writeFileSync(file, text);
  try {
    loadConfigFile(file, {});
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return { file, problems: error.problems };
  }
  assert.fail('the configuration was accepted');
}

test('several mistakes in one file: each named file:line:col, unknown keys with "did you mean"', () => {
  const { file, problems } = problemsOf(
    [
      'defaults:',
      '  payload_limt: 1mb',
      'channels:',
      '  - id: ops',
      '    grouping:',
      '      method: magic',
      '  - id: db',
      '    auto_clse: false',
      'integrations:',
      '  - id: std',
      '    adapter: standard',
      '    key: key-std-0001',
      '    chanel: ops',
      '    rate_limit: { per_second: 0 }',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    problems.sort(),
    [
      `${file}:10:5: integrations[0]: needs channel (dedicated) or routes (shared), not both`,
      `${file}:13:5: integrations[0]: unknown field "chanel"; did you mean "channel"?`,
      `${file}:14:31: integrations[0].rate_limit.per_second: must be >= 1`,
      `${file}:2:3: defaults: unknown field "payload_limt"; did you mean "payload_limit"?`,
      `${file}:6:15: channels[0].grouping.method: must be one of none, rules, similarity`,
      `${file}:8:5: channels[1]: unknown field "auto_clse"; did you mean "auto_close"?`,
    ].sort(),
  );
});

test('a missing field is placed at the object that lacks it; a cross-check problem at its value', () => {
  const { file, problems } = problemsOf(
    [
      'channels:',
      '  - id: ops',
      'integrations:',
      '  - id: a',
      '    adapter: standard',
      '    key: key-std-0001',
      '    channel: ops',
      '  - id: a',
      '    adapter: standard',
      '    channel: ops',
      '    color: red',
      '',
    ].join('\n'),
  );
  assert.deepEqual(problems, [
    `${file}:8:5: integrations[1]: missing required field "key"`,
    `${file}:11:5: integrations[1]: unknown field "color"`,
  ]);
  const duplicate = problemsOf(['channels:', '  - id: ops', '  - id: ops', ''].join('\n'));
  assert.deepEqual(duplicate.problems, [`${duplicate.file}:3:9: channels[1].id: duplicate channel id "ops"`]);
});

test('YAML syntax errors name their line and column', () => {
  const { file, problems } = problemsOf(['channels:', '  - id: ops', '   bad: [', ''].join('\n'));
  assert.equal(problems.length > 0, true);
  assert.match(problems[0], new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: \\(file\\): `));
});

test('a mistyped field key in a grouping dimension or a condition: "did you mean" labels.<name>', () => {
  const { file, problems } = problemsOf(
    [
      'channels:',
      '  - id: ops',
      '    grouping: { method: rules, equals: [[lables.resource]] }',
      '    drop:',
      '      - id: d',
      '        if:',
      '          - { key: severty, op: IN, values: [Info] }',
      '',
    ].join('\n'),
  );
  const help = '(title, description, severity, integration, labels.<name>)';
  assert.ok(
    problems.includes(
      `${file}:3:42: channels[0].grouping.equals[0][0]: unknown key "lables.resource" ${help}; did you mean "labels.resource"?`,
    ),
    problems.join('\n'),
  );
  assert.ok(
    problems.includes(
      `${file}:7:20: channels[0].drop[0].if[0].key: unknown key "severty" ${help}; did you mean "severity"?`,
    ),
    problems.join('\n'),
  );
});

test('did you mean: a swap or a missing letter, not a different word', () => {
  assert.equal(closestName('lables', ['labels', 'title']), 'labels');
  assert.equal(closestName('chanel', ['channel', 'name']), 'channel');
  assert.equal(closestName('colour', ['channel', 'name', 'key']), undefined);
});
