import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildConfig, exampleConfigPath, loadConfigFile } from '../src/config/load-config.js';
import { readSettings } from '../src/config/settings.js';
import { banner, bindHost } from '../src/main.js';

const both = { gateway: true, worker: true };
const realConfig = buildConfig(
  {
    channels: [{ id: 'ops' }],
    integrations: [
      { id: 'prom', name: 'Prometheus', adapter: 'prometheus', key: 'secret-prom-key-0001', channel: 'ops' },
    ],
  },
  '/etc/alertgate.yaml',
  {},
  new Set(['prometheus']),
);

test('the bundled example binds to loopback unless HOST is set; a real configuration binds to every interface', () => {
  assert.equal(bindHost(readSettings({}, 1), true), '127.0.0.1');
  assert.equal(bindHost(readSettings({}, 1), false), '0.0.0.0');
  assert.equal(bindHost(readSettings({ HOST: '0.0.0.0' }, 1), true), '0.0.0.0');
  assert.equal(bindHost(readSettings({ HOST: '10.1.2.3' }, 1), false), '10.1.2.3');
});

test('the banner of a real configuration names each integration key by its integration, never prints it', () => {
  const text = banner(readSettings({ ADMIN_TOKEN: 'chosen-token-1234' }, 1), realConfig, false, both);
  assert.ok(!text.includes('secret-prom-key-0001'));
  assert.ok(
    text.includes('POST http://localhost:8080/event/push/alert/prometheus?integration_key=<key of integration prom>'),
  );
});

test('the banner of the bundled example shows its public demo keys', () => {
  const example = loadConfigFile(exampleConfigPath, {});
  const text = banner(readSettings({ ADMIN_TOKEN: 'chosen-token-1234' }, 1), example, true, both);
  assert.ok(text.includes('integration_key=demo-standard-key-0001'));
});

test('the banner prints the admin token only when alertgate generated it', () => {
  const configured = banner(readSettings({ ADMIN_TOKEN: 'chosen-token-1234' }, 1), realConfig, false, both);
  assert.ok(!configured.includes('chosen-token-1234'));
  assert.ok(configured.includes('Authorization: Bearer <ADMIN_TOKEN>'));
  const settings = readSettings({}, 1);
  assert.ok(
    banner(settings, realConfig, false, both).includes(
      `Bearer ${settings.adminToken}  (generated; set ADMIN_TOKEN to choose one)`,
    ),
  );
});

test('a worker-only banner names no push URL and no token', () => {
  const settings = readSettings({}, 1);
  const text = banner(settings, realConfig, false, { gateway: false, worker: true });
  assert.ok(!text.includes('integration_key') && !text.includes(settings.adminToken));
});

test('the banner names the web console unless the configuration turns it off', () => {
  const settings = readSettings({ ADMIN_TOKEN: 'chosen-token-1234' }, 1);
  assert.ok(banner(settings, realConfig, false, both).includes('Web console: http://localhost:8080/ (sign in'));
  assert.ok(!banner(settings, { ...realConfig, console: false }, false, both).includes('Web console'));
});
