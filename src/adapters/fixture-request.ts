import { createHmac } from 'node:crypto';
import type { Fixture } from './fixtures.js';
import type { LoadedAdapter } from './registry.js';
import { requestFromSample } from './sample-request.js';
import { isSnsMessage, signSnsMessage } from './sns-fixture-signing.js';

/** How fixtures are signed on their way through the real endpoint. */
export interface FixtureSigning {
  /** The integration's `secret`, for adapters with an HMAC signature. */
  secret: string;
  /** Private key whose certificate the gateway under test trusts for SNS messages. */
  snsKeyPem: string;
}

/**
 * A fixture as the HTTP request a sender would make to `<baseUrl>/event/push/alert/<adapter>`: its method, headers,
 * content type and raw body; SNS messages signed again with the test key, HMAC adapters signed with the secret.
 */
export function fixtureHttpRequest(
  adapter: LoadedAdapter,
  fixture: Fixture,
  target: { baseUrl: string; integrationKey: string },
  signing: FixtureSigning,
): { url: string; init: RequestInit } {
  const sample = { ...fixture.input };
  if (adapter.manifest.signature?.type === 'aws-sns' && isSnsMessage(sample.body)) {
    sample.body = signSnsMessage(sample.body, signing.snsKeyPem);
    delete sample.raw_body;
  }
  const request = requestFromSample(sample, adapter.manifest);
  const headers: Record<string, string> = { ...request.headers };
  delete headers['content-type'];
  delete headers['content-length'];
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  const signature = adapter.manifest.signature;
  if (signature?.type === 'hmac-sha256')
    headers[signature.header] =
      (signature.prefix ?? '') +
      createHmac('sha256', signing.secret).update(request.rawBody).digest(signature.encoding);
  const query = new URLSearchParams({ ...request.query, integration_key: target.integrationKey });
  const body = request.method === 'GET' ? undefined : new Uint8Array(request.rawBody);
  return {
    url: `${target.baseUrl}/event/push/alert/${adapter.name}?${query}`,
    init: { method: request.method, headers, ...(body && { body }) },
  };
}
