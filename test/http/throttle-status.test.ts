import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { adaptersDir } from '../../src/paths.js';
import { postJson, startStack, type Stack } from '../support/stack.js';

/* A sender that retries only on 5xx (Datadog) is answered 503 over budget, so its notification is sent again. */
describe('throttle_status of an adapter', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      store: 'sqlite',
      worker: false,
      configFile: {
        channels: [{ id: 'ops' }],
        integrations: [
          {
            id: 'dd',
            adapter: 'datadog',
            key: 'datadog-key-0001',
            channel: 'ops',
            rate_limit: { per_second: 1, per_minute: 1 },
          },
          {
            id: 'pm',
            adapter: 'prometheus',
            key: 'prometheus-key-01',
            channel: 'ops',
            rate_limit: { per_second: 1, per_minute: 1 },
          },
        ],
      },
    });
  });
  after(() => stack.close());

  const fixture = (adapter: string, name: string): unknown =>
    (
      JSON.parse(readFileSync(join(adaptersDir, adapter, 'fixtures', `${name}.input.json`), 'utf8')) as {
        body: unknown;
      }
    ).body;

  test('over budget: 503 with Retry-After for datadog, 429 for an adapter without the option', async () => {
    const datadog = `${stack.baseUrl}/event/push/alert/datadog?integration_key=datadog-key-0001`;
    const firing = fixture('datadog', 'triggered');
    assert.equal((await postJson(datadog, firing)).status, 200);
    const throttled = await postJson(datadog, firing);
    assert.equal(throttled.status, 503);
    assert.equal((throttled.body.error as { code: string }).code, 'ServiceUnavailable');
    assert.ok(Number(throttled.headers.get('retry-after')) >= 1);

    const prometheus = `${stack.baseUrl}/event/push/alert/prometheus?integration_key=prometheus-key-01`;
    const alerts = fixture('prometheus', 'firing-single');
    assert.equal((await postJson(prometheus, alerts)).status, 200);
    const limited = await postJson(prometheus, alerts);
    assert.equal(limited.status, 429);
    assert.ok(limited.headers.get('retry-after'));
  });
});
