import assert from 'node:assert/strict';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { sendRequest, type OutboundRequest } from '../../src/notify/sender.js';

const servers: Server[] = [];
after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const request = (url: string, extra: Partial<OutboundRequest> = {}): OutboundRequest => ({
  url,
  headers: { 'Content-Type': 'application/json' },
  body: '{"event_type":"i_new"}',
  timeoutMs: 5_000,
  allowPrivateNetwork: false,
  ...extra,
});

test('a redirect within the same origin is followed (307, body and method kept); one to another origin is refused', async () => {
  const seen: string[] = [];
  const other = await serve((req, res) => {
    seen.push(`other ${req.method} ${req.url}`);
    res.end('other');
  });
  const origin = await serve((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${body}`);
      if (req.url === '/moved') res.writeHead(307, { location: '/here' }).end();
      else if (req.url === '/away') res.writeHead(307, { location: `${other}/stolen` }).end();
      else res.writeHead(200).end('ok');
    });
  });
  const followed = await sendRequest(request(`${origin}/moved`));
  assert.equal(followed.ok, true);
  assert.equal(followed.statusCode, 200);
  assert.deepEqual(seen, ['POST /moved {"event_type":"i_new"}', 'POST /here {"event_type":"i_new"}']);
  const refused = await sendRequest(request(`${origin}/away`));
  assert.equal(refused.ok, false);
  assert.equal(refused.statusCode, 307);
  assert.equal(refused.error, `redirect to another origin refused: ${other}`);
  assert.equal(seen.filter((line) => line.startsWith('other')).length, 0, 'the other host never got the body');
});

test('only the first 1 KiB of an answer is read and kept', async () => {
  const url = await serve((_req, res) => res.writeHead(500).end('x'.repeat(64 * 1024)));
  const result = await sendRequest(request(url));
  assert.equal(result.ok, false);
  assert.equal(result.statusCode, 500);
  assert.equal(result.response, 'x'.repeat(1024));
});

test('a timeout covers the whole exchange; a refused connection is an error, not a status', async () => {
  const url = await serve((_req, res) => setTimeout(() => res.end('late'), 2_000));
  const slow = await sendRequest(request(url, { timeoutMs: 200 }));
  assert.deepEqual([slow.ok, slow.statusCode, slow.error], [false, undefined, 'timed out after 200 ms']);
  const closed = await serve(() => undefined);
  servers[servers.length - 1].close();
  const refused = await sendRequest(request(`${closed}/`));
  assert.equal(refused.ok, false);
  assert.match(String(refused.error), /ECONNREFUSED/);
});

test('link-local and metadata targets are refused before connecting, unless allowed', async () => {
  const refused = await sendRequest(request('http://169.254.169.254/latest/meta-data', { timeoutMs: 500 }));
  assert.match(
    String(refused.error),
    /169\.254\.169\.254 is a link-local or metadata address|resolves to 169\.254\.169\.254/,
  );
  const v6 = await sendRequest(request('http://[fd00:ec2::254]/', { timeoutMs: 500 }));
  assert.match(String(v6.error), /link-local or metadata address/);
  // Allowed: the request is attempted (and here times out or fails to route, but not by the guard).
  const allowed = await sendRequest(request('http://169.254.169.254/', { timeoutMs: 300, allowPrivateNetwork: true }));
  assert.doesNotMatch(String(allowed.error), /link-local or metadata address/);
});
