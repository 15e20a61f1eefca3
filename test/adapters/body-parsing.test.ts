import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  mappingHeaders,
  mappingQuery,
  parseAdapterBody,
  type AdapterRequest,
} from '../../src/adapters/body-parsing.js';
import type { AdapterManifest } from '../../src/adapters/manifest.js';

const manifest: AdapterManifest = {
  name: 'any',
  title: 'Any',
  vendor_docs: 'https://example.com',
  content_types: ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'],
  methods: ['POST', 'GET'],
  alert_key: 'id',
  multipart_field: 'payload',
};

const request = (contentType: string | undefined, body: string | Buffer, method = 'POST'): AdapterRequest => ({
  method,
  ...(contentType !== undefined && { contentType }),
  rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body),
  headers: {},
  query: {},
});

describe('parseAdapterBody', () => {
  const parsed: Array<[string, AdapterRequest, unknown]> = [
    ['JSON', request('application/json', '{"a":1}'), { a: 1 }],
    ['a +json media type', request('application/vnd.acme+json; charset=utf-8', '[1]'), [1]],
    [
      'text/plain holding JSON (Amazon SNS)',
      request('text/plain; charset=UTF-8', '{"Type":"Notification"}'),
      { Type: 'Notification' },
    ],
    [
      'form fields as strings, JSON values left as text',
      request('application/x-www-form-urlencoded', 'a=1&b=%7B%22c%22%3A2%7D&a=3'),
      { a: '3', b: '{"c":2}' },
    ],
    [
      'a latin-1 body',
      request(
        'application/json; charset=iso-8859-1',
        Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]),
      ),
      { a: 'é' },
    ],
    ['an empty body', request('application/json', ''), {}],
    ['GET (data is in the query)', request(undefined, '', 'GET'), {}],
    [
      'no content type: JSON when the adapter takes JSON (Icinga Notifications)',
      request(undefined, '{"a":1}'),
      { a: 1 },
    ],
  ];
  for (const [name, input, expected] of parsed) {
    test(name, async () => assert.deepEqual(await parseAdapterBody(manifest, input), expected));
  }

  test('multipart: the manifest field is parsed as JSON', async () => {
    const form = new FormData();
    form.set('payload', '{"status":0}');
    form.set('other', 'x');
    const response = new Response(form);
    const body = Buffer.from(await response.arrayBuffer());
    assert.deepEqual(await parseAdapterBody(manifest, request(response.headers.get('content-type') ?? '', body)), {
      status: 0,
    });
  });

  const refused: Array<[string, AdapterRequest, string, RegExp]> = [
    ['invalid JSON', request('application/json', '{"a":'), 'InvalidParameter', /^request body is not valid JSON: /],
    [
      'text/plain that is not JSON',
      request('text/plain', 'hello'),
      'InvalidParameter',
      /^the text\/plain request body \(JSON expected\) is not valid JSON/,
    ],
    [
      'multipart without a boundary',
      request('multipart/form-data', 'x'),
      'InvalidParameter',
      /^request body is not valid multipart\/form-data/,
    ],
    [
      'no content type and a body that is not JSON',
      request(undefined, 'a=1'),
      'InvalidParameter',
      /^request body is not valid JSON: /,
    ],
    [
      'an unknown charset',
      request('application/json; charset=klingon', '{}'),
      'InvalidContentType',
      /^unsupported charset "klingon"$/,
    ],
  ];
  for (const [name, input, code, message] of refused) {
    test(`refuses ${name}`, async () => {
      await assert.rejects(
        parseAdapterBody(manifest, input),
        (error: Error & { code?: string }) => error.code === code && message.test(error.message),
      );
    });
  }
});

test('refuses a body without a content type when the adapter does not take JSON', async () => {
  const textOnly: AdapterManifest = { ...manifest, content_types: ['text/plain', 'multipart/form-data'] };
  await assert.rejects(
    parseAdapterBody(textOnly, request(undefined, '{}')),
    (error: Error & { code?: string }) =>
      error.code === 'InvalidContentType' &&
      /^Content-Type must be text\/plain or multipart\/form-data for the any adapter, got none$/.test(error.message),
  );
});

describe('mapping input hygiene', () => {
  test('headers are lower-cased and lose credentials; the query loses integration_key', () => {
    assert.deepEqual(
      mappingHeaders({
        'X-Trace': 'a',
        Authorization: 'Bearer k',
        'x-integration-key': 'k',
        cookie: 'c',
        'x-list': ['1', '2'],
      }),
      { 'x-trace': 'a', 'x-list': '1, 2' },
    );
    assert.deepEqual(mappingQuery({ integration_key: 'k', a: 'x', b: ['1', '2'] }), { a: 'x', b: '2' });
  });
});
