import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminToken, startStack, type Stack } from '../support/stack.js';

describe('a path with a malformed percent-escape is a 400, never a 500 (real HTTP)', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ store: 'sqlite', worker: false });
  });
  after(() => stack.close());

  const cases: Array<[string, string, string]> = [
    ['POST', '/event/push/alert/%FF?integration_key=test-key-0001', '%FF'],
    ['GET', '/api/v1/events/%FF', '%FF'],
    ['GET', '/api/v1/incidents/%', '%'],
    ['GET', '/api/v1/channels/%E0%A4%A/silences', '%E0%A4%A'],
  ];
  for (const [method, path, param] of cases) {
    test(`${method} ${path}`, async () => {
      const response = await fetch(`${stack.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        ...(method === 'POST' && { body: '{}' }),
      });
      const body = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(response.status, 400);
      assert.deepEqual(body.error, {
        code: 'InvalidParameter',
        message: `request path: Failed to decode param '${param}'`,
      });
    });
  }
});
