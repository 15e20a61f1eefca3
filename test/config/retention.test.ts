import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildConfig } from '../../src/config/load-config.js';

const base = { channels: [{ id: 'ops' }] };

test('retention: defaults when absent, ages and caps as written, 0 and off keep forever', () => {
  assert.deepEqual(buildConfig(base, 'test', {}).retention, {
    eventsMs: 30 * 86_400_000,
    closedIncidentsMs: 180 * 86_400_000,
    rejectedPayloadsMs: 7 * 86_400_000,
    deliveriesMs: 30 * 86_400_000,
    intervalMs: 600_000,
    rejectedPayloadCap: { count: 1000, bytes: 16 * 1024 * 1024 },
  });
  const written = buildConfig(
    {
      ...base,
      retention: {
        events: '12h',
        closed_incidents: 'off',
        rejected_payloads: 0,
        deliveries: '2w',
        interval: '30s',
        rejected_payloads_cap: { count: 50, bytes: '2mb' },
      },
    },
    'test',
    {},
  ).retention;
  assert.deepEqual(written, {
    eventsMs: 12 * 3_600_000,
    closedIncidentsMs: null,
    rejectedPayloadsMs: null,
    deliveriesMs: 14 * 86_400_000,
    intervalMs: 30_000,
    rejectedPayloadCap: { count: 50, bytes: 2 * 1024 * 1024 },
  });
});

test('retention: a malformed age, an unknown key or a zero cap is refused naming the field', () => {
  for (const [retention, field] of [
    [{ events: '30 days' }, 'retention.events'],
    [{ event: '30d' }, 'retention'],
    [{ rejected_payloads_cap: { count: 0 } }, 'retention.rejected_payloads_cap.count'],
    [{ interval: 'often' }, 'retention.interval'],
  ] as const) {
    assert.throws(
      () => buildConfig({ ...base, retention }, 'test', {}),
      (error: Error) => error.message.includes(field),
      JSON.stringify(retention),
    );
  }
});
