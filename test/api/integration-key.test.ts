import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminToken, api, startStack, type Stack } from '../support/stack.js';

describe('integration keys: never listed, shown once per request', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ store: 'sqlite', worker: false });
  });
  after(() => stack.close());

  test('GET /integrations shows no key, only a hint', async () => {
    for (const path of ['/integrations', '/integrations/std']) {
      const res = await api(stack, 'GET', path);
      assert.equal(res.status, 200);
      assert.doesNotMatch(JSON.stringify(res.body), /test-key-0001/, path);
    }
    const one = (await api(stack, 'GET', '/integrations/std')).body.data as Record<string, unknown>;
    assert.deepEqual([one.push_url, one.key_hint], ['http://alertgate.test/event/push/alert/standard', '…0001']);
  });

  test('POST /integrations/{id}/key answers the key and its push URL, not cached; an unknown id is 404', async () => {
    const audit: unknown[] = [];
    const logger = stack.gateway.ingest.logger as unknown as { warn: (entry: unknown, message: string) => void };
    logger.warn = (entry, message) => audit.push({ ...(entry as object), message });
    const res = await fetch(`${stack.baseUrl}/api/v1/integrations/std/key?actor=alice`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(((await res.json()) as { data: unknown }).data, {
      id: 'std',
      key: 'test-key-0001',
      push_url: 'http://alertgate.test/event/push/alert/standard?integration_key=test-key-0001',
    });
    assert.deepEqual(audit, [
      {
        audit: 'integration_key_shown',
        integration: 'std',
        actor: 'alice',
        request_id: res.headers.get('x-request-id'),
        message: 'integration key shown',
      },
    ]);
    const missing = await api(stack, 'POST', '/integrations/nope/key');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body.error, { code: 'ResourceNotFound', message: 'no integration with id nope' });
    const anonymous = await fetch(`${stack.baseUrl}/api/v1/integrations/std/key`, { method: 'POST' });
    assert.equal(anonymous.status, 401);
  });
});
