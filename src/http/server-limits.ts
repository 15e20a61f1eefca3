import type { Server } from 'node:http';

/** How long a client may take and how many may connect: a slow or greedy client cannot hold the gateway. */
export interface ServerLimits {
  /** Time to send the request line and headers; then 408 and the connection closes. */
  headersTimeoutMs: number;
  /** Time to send the whole request, body included. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** Open connections at most; a connection past it is closed as soon as it is accepted. */
  maxConnections: number;
}

export const defaultServerLimits: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 10_000,
};

const variables: Record<keyof ServerLimits, string> = {
  headersTimeoutMs: 'HTTP_HEADERS_TIMEOUT_MS',
  requestTimeoutMs: 'HTTP_REQUEST_TIMEOUT_MS',
  keepAliveTimeoutMs: 'HTTP_KEEP_ALIVE_TIMEOUT_MS',
  maxConnections: 'HTTP_MAX_CONNECTIONS',
};

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

/** The limits from HTTP_* variables (defaults above); throws naming the variable when one is not usable. */
export function readServerLimits(env: Readonly<Record<string, string | undefined>>): ServerLimits {
  const limits = { ...defaultServerLimits };
  for (const field of Object.keys(variables) as Array<keyof ServerLimits>)
    limits[field] = positiveInteger(env, variables[field], defaultServerLimits[field]);
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new Error(
      `HTTP_HEADERS_TIMEOUT_MS (${limits.headersTimeoutMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${limits.requestTimeoutMs})`,
    );
  }
  return limits;
}

/**
 * Applies the limits to a server. Call it right after `listen()` returns, before the server is listening: Node
 * starts its timeout checks then, every `connectionsCheckingInterval` (30 s by default, so a 10 s header timeout
 * could take 40 s), and that interval is set here to a fraction of the shortest timeout.
 */
export function applyServerLimits(server: Server, limits: ServerLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    50,
    Math.min(1000, Math.floor(limits.headersTimeoutMs / 4)),
  );
}
