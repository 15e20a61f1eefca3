import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigFile } from '../src/config/types.js';
import { buildConfig } from '../src/config/load-config.js';
import type { StandardAlertInput } from '../src/events/types.js';
import { validateStandardAlert } from '../src/schemas.js';

// The TypeScript types of the schemas are generated from them (src/generated/), so the compiler keeps the two aligned;
// these cases prove that a value using every field of a type passes its schema.

test('a fully populated StandardAlertInput validates', () => {
  const full: StandardAlertInput = {
    title_rule: 't',
    title: 't',
    event_status: 'Warning',
    alert_key: 'k',
    description: 'd',
    labels: { a: 'b' },
    images: [{ alt: 'a', src: 'https://x', href: 'https://y' }],
    event_time: 1,
  };
  assert.equal(validateStandardAlert(full), true, JSON.stringify(validateStandardAlert.errors));
});

test('a fully populated ConfigFile validates', () => {
  const full: ConfigFile = {
    defaults: { payload_limit: '1mb', rate_limit: { per_second: 5, per_minute: 50 } },
    channels: [{ id: 'ops', name: 'Ops', description: 'd', auto_close: false }],
    integrations: [
      {
        id: 'i',
        name: 'I',
        adapter: 'standard',
        key: 'abcdefgh',
        channel: 'ops',
        enabled: true,
        secret: 's',
        rate_limit: { per_second: 1, per_minute: 2 },
      },
    ],
  };
  const config = buildConfig(full, 'test', {});
  assert.equal(config.integrations[0].rateLimit.perSecond, 1);
  assert.equal(config.channels[0].autoClose, false);
});
