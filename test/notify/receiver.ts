import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a test receiver got. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
  /** How the receiver answered it. */
  answered: number | 'hung';
}

/** How the receiver answers its n-th request (0-based): a status (and headers), or hang past the sender's timeout. */
export type Script = (
  n: number,
  request: Received,
) => { status: number; headers?: Record<string, string>; delayMs?: number } | 'hang';

/** A real HTTP receiver on a loopback port: records every request and answers as scripted. */
export interface TestReceiver {
  url: string;
  received: Received[];
  /** The requests it answered with 2xx. */
  succeeded(): Received[];
  close(): Promise<void>;
}

export async function startReceiver(script: Script = () => ({ status: 200 })): Promise<TestReceiver> {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        json = {};
      }
      const request: Received = { headers: req.headers, body, json, answered: 'hung' };
      const answer = script(received.length, request);
      received.push(request);
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      const respond = () => {
        request.answered = answer.status;
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        res.end(`answer ${answer.status}`);
      };
      if (answer.delayMs) setTimeout(respond, answer.delayMs);
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    succeeded: () => received.filter((request) => typeof request.answered === 'number' && request.answered < 300),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
