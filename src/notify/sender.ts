import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { ForbiddenAddressError, guardedLookup, isForbiddenAddress } from './address-guard.js';

/** The part of a response body kept in the delivery log. */
export const responseCapBytes = 1024;
const maxRedirects = 3;

export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivateNetwork: boolean;
  /** Connections kept alive for the receiver (one agent per receiver and scheme); absent: Node's global agents. */
  agents?: ReceiverAgents;
}

/** Keep-alive connections to one receiver, at most `maxSockets` at once. */
export interface ReceiverAgents {
  http: HttpAgent;
  https: HttpsAgent;
}

export function receiverAgents(maxSockets: number): ReceiverAgents {
  return {
    http: new HttpAgent({ keepAlive: true, maxSockets }),
    https: new HttpsAgent({ keepAlive: true, maxSockets }),
  };
}

/** What one attempt got: a status (absent when no response came), the start of the body, or why it failed. */
export interface SendResult {
  ok: boolean;
  statusCode?: number;
  latencyMs: number;
  error?: string;
  /** The first 1 KiB of the response body. */
  response?: string;
  /** Retry-After of a 429 or 503, in milliseconds. */
  retryAfterMs?: number;
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

interface Response {
  statusCode: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** One request, no redirect followed; resolves with the status and the first bytes of the body. */
function requestOnce(url: URL, outbound: OutboundRequest, signal: AbortSignal): Promise<Response> {
  if (!outbound.allowPrivateNetwork && isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0) {
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (isForbiddenAddress(literal)) return Promise.reject(new ForbiddenAddressError(url.hostname, literal));
  }
  const options: RequestOptions = {
    method: 'POST',
    headers: { ...outbound.headers, 'Content-Length': String(Buffer.byteLength(outbound.body)) },
    signal,
    ...(!outbound.allowPrivateNetwork && { lookup: guardedLookup as RequestOptions['lookup'] }),
    ...(outbound.agents && { agent: url.protocol === 'https:' ? outbound.agents.https : outbound.agents.http }),
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Response>((resolve, reject) => {
    const req = send(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () =>
        resolve({
          statusCode: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).subarray(0, responseCapBytes).toString('utf8'),
        });
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        // Enough kept: the rest of a large body is not read (and its connection not reused).
        if (size >= responseCapBytes) {
          finish();
          res.destroy();
        }
      });
      // Read to its end, a short answer leaves its keep-alive connection ready for the next request.
      res.on('end', finish);
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(outbound.body);
  });
}

const isRedirect = (status: number): boolean => status === 307 || status === 308;

/**
 * Sends one attempt: POST, a timeout over the whole exchange, the addresses checked (unless allowed), redirects
 * followed only within the same origin (307/308, at most 3), the response body read up to 1 KiB.
 */
export async function sendRequest(outbound: OutboundRequest, clock: () => number = Date.now): Promise<SendResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  const signal = AbortSignal.timeout(outbound.timeoutMs);
  let url = new URL(outbound.url);
  try {
    for (let hop = 0; ; hop += 1) {
      const response = await requestOnce(url, outbound, signal);
      if (isRedirect(response.statusCode) && typeof response.headers.location === 'string') {
        const next = new URL(response.headers.location, url);
        if (next.origin !== url.origin)
          return {
            ok: false,
            statusCode: response.statusCode,
            latencyMs: latency(),
            error: `redirect to another origin refused: ${next.origin}`,
            response: response.body,
          };
        if (hop >= maxRedirects)
          return {
            ok: false,
            statusCode: response.statusCode,
            latencyMs: latency(),
            error: 'too many redirects',
            response: response.body,
          };
        url = next;
        continue;
      }
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      const after =
        response.statusCode === 429 || response.statusCode === 503
          ? retryAfterMs(response.headers['retry-after'], clock())
          : undefined;
      return {
        ok,
        statusCode: response.statusCode,
        latencyMs: latency(),
        response: response.body,
        ...(!ok && { error: `HTTP ${response.statusCode}` }),
        ...(after !== undefined && { retryAfterMs: after }),
      };
    }
  } catch (error) {
    const message = signal.aborted ? `timed out after ${outbound.timeoutMs} ms` : (error as Error).message;
    return { ok: false, latencyMs: latency(), error: message };
  }
}
