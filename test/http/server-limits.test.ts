import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { readServerLimits, type ServerLimits } from '../../src/http/server-limits.js';
import { startStack, type Stack } from '../support/stack.js';

/** Small limits, so the test sees them act within seconds. */
const limits: ServerLimits = {
  headersTimeoutMs: 500,
  requestTimeoutMs: 1000,
  keepAliveTimeoutMs: 10_000,
  maxConnections: 3,
};

interface Outcome {
  /** Everything the server sent before closing. */
  received: string;
  /** ms from connecting to the close. */
  closedAfterMs: number;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Collects what a socket receives until it closes (or `giveUpMs` passes: then closedAfterMs is Infinity). */
function untilClosed(socket: Socket, giveUpMs: number): Promise<Outcome> {
  const started = performance.now();
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ received, closedAfterMs: Infinity }), giveUpMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ received, closedAfterMs: performance.now() - started });
    });
  });
}

describe('HTTP server limits: header and request timeouts, connection cap (real sockets)', () => {
  let stack: Stack;
  let port: number;
  const sockets: Socket[] = [];
  before(async () => {
    stack = await startStack({ store: 'sqlite', worker: false, serverLimits: limits });
    port = Number(new URL(stack.baseUrl).port);
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await stack.close();
  });

  test('a slow-loris client that never finishes its headers is answered 408 and cut off after the headers timeout', async () => {
    const socket = await open(port);
    sockets.push(socket);
    const closed = untilClosed(socket, 8000);
    socket.write('POST /event/push/alert/standard HTTP/1.1\r\nHost: alertgate.test\r\n');
    // One more header byte every 100 ms: the connection is never idle, the headers never end.
    const drip = setInterval(() => socket.writable && socket.write('X'), 100);
    const outcome = await closed;
    clearInterval(drip);
    assert.ok(outcome.closedAfterMs < 5000, `closed after ${outcome.closedAfterMs} ms`);
    assert.ok(
      outcome.closedAfterMs >= limits.headersTimeoutMs - 50,
      `not before the timeout (${outcome.closedAfterMs} ms)`,
    );
    assert.match(outcome.received, /^HTTP\/1\.1 408 /);
  });

  test('a body that never ends is cut off after the request timeout', async () => {
    const socket = await open(port);
    sockets.push(socket);
    const closed = untilClosed(socket, 8000);
    socket.write(
      'POST /event/push/alert/standard HTTP/1.1\r\nHost: alertgate.test\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
    );
    const drip = setInterval(() => socket.writable && socket.write(' '), 100);
    const outcome = await closed;
    clearInterval(drip);
    assert.ok(outcome.closedAfterMs < 5000, `closed after ${outcome.closedAfterMs} ms`);
  });

  test('a connection past the cap is closed at once; the ones within it are served', async () => {
    const held: Socket[] = [];
    for (let i = 0; i < limits.maxConnections; i += 1) {
      const socket = await open(port);
      sockets.push(socket);
      held.push(socket);
      // A finished request, then the connection stays open (keep-alive) and counts against the cap.
      const answered = new Promise<string>((resolve) =>
        socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))),
      );
      socket.write('GET /healthz HTTP/1.1\r\nHost: alertgate.test\r\n\r\n');
      assert.match(await answered, /^HTTP\/1\.1 200 /);
    }
    const extra = await open(port);
    sockets.push(extra);
    const outcome = untilClosed(extra, 3000);
    extra.write('GET /healthz HTTP/1.1\r\nHost: alertgate.test\r\n\r\n');
    const { received, closedAfterMs } = await outcome;
    assert.ok(closedAfterMs < 3000, 'the connection past the cap is closed');
    assert.equal(received, '', 'and served nothing');
    for (const socket of held) socket.destroy();
  });

  test('limits come from HTTP_* variables; bad values are refused by name', () => {
    assert.deepEqual(readServerLimits({}), {
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 10_000,
    });
    assert.deepEqual(
      readServerLimits({
        HTTP_HEADERS_TIMEOUT_MS: '2000',
        HTTP_REQUEST_TIMEOUT_MS: '4000',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000',
        HTTP_MAX_CONNECTIONS: '100',
      }),
      { headersTimeoutMs: 2000, requestTimeoutMs: 4000, keepAliveTimeoutMs: 65_000, maxConnections: 100 },
    );
    assert.throws(
      () => readServerLimits({ HTTP_MAX_CONNECTIONS: '0' }),
      /^Error: HTTP_MAX_CONNECTIONS must be a positive integer, got "0"$/,
    );
    assert.throws(
      () => readServerLimits({ HTTP_HEADERS_TIMEOUT_MS: '40000' }),
      /HTTP_HEADERS_TIMEOUT_MS \(40000\) must not exceed HTTP_REQUEST_TIMEOUT_MS \(30000\)/,
    );
  });
});
