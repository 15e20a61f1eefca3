import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, describe, test } from 'node:test';
import type { AdapterRequest } from '../../src/adapters/body-parsing.js';
import { mapRequest, previewRequest } from '../../src/adapters/map-request.js';
import { AdapterRegistry, type LoadedAdapter } from '../../src/adapters/registry.js';
import { AppError } from '../../src/errors.js';
import { manifestFor, tempAdaptersDir } from '../support/temp-adapters.js';

/* mapRequest is the one way to run an adapter: the sender checks are options, the mapping is the same either way. */

const temp = tempAdaptersDir({
  signed: {
    manifest: manifestFor('signed', {
      signature: { type: 'hmac-sha256', header: 'X-Signature', encoding: 'hex', prefix: 'sha256=' },
    }),
    mapping: '{ "title": body.title, "event_status": "Info" }',
  },
});
const registry = AdapterRegistry.load({ dir: temp.dir });
const signed = registry.get('signed') as LoadedAdapter;
const context = { integrationId: 'int', integrationName: 'Int', receivedAt: 1767225600000 };
const secret = 'mapping-secret';
const sns = { fetchCertificate: async () => '', fetchUrl: async () => undefined };

function request(body: string, headers: Record<string, string> = {}, contentType = 'application/json'): AdapterRequest {
  return { method: 'POST', contentType, rawBody: Buffer.from(body, 'utf8'), headers, query: {} };
}
const sign = (body: string) => 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
const codeOf = (code: string) => (error: unknown) => error instanceof AppError && error.code === code;

describe('mapRequest', () => {
  after(() => temp.remove());

  test('without sender checks an unsigned request maps; with them it is refused, a signed one maps the same', async () => {
    const body = JSON.stringify({ title: 'disk full' });
    const unchecked = await mapRequest(signed, request(body), context);
    assert.equal(unchecked.events[0].title, 'disk full');
    await assert.rejects(
      mapRequest(signed, request(body), context, { senderChecks: { secret, sns } }),
      codeOf('Unauthorized'),
    );
    const checked = await mapRequest(signed, request(body, { 'x-signature': sign(body) }), context, {
      senderChecks: { secret, sns },
    });
    assert.deepEqual(checked, unchecked);
  });

  test('onRejected hears of a payload that does not parse, not of a sender that fails a check', async () => {
    const heard: string[] = [];
    const onRejected = async (error: AppError) => void heard.push(error.code);
    await assert.rejects(mapRequest(signed, request('{not json'), context, { onRejected }), codeOf('InvalidParameter'));
    await assert.rejects(
      mapRequest(signed, request('{}', {}, 'text/plain'), context, { senderChecks: { secret, sns }, onRejected }),
      codeOf('InvalidContentType'),
    );
    await assert.rejects(
      mapRequest(signed, request('{}'), context, { senderChecks: { secret, sns }, onRejected }),
      codeOf('Unauthorized'),
    );
    assert.deepEqual(heard, ['InvalidParameter']);
  });

  test('previewRequest lists a body problem instead of throwing it', async () => {
    const preview = await previewRequest(signed, request('{not json'), context);
    assert.deepEqual(preview.events, []);
    assert.equal(preview.errors[0].code, 'InvalidParameter');
  });
});
