import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };

/** `User-Agent` of every outbound request. */
export const userAgent = `alertgate/${version}`;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`: the receiver recomputes it over the raw body. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * The headers alertgate adds to a rendered request: the format's own first, then the receiver's configured ones,
 * then the ones alertgate owns (they cannot be overridden): delivery id, signature, user agent. JSON unless a format
 * or the configuration said otherwise.
 */
export function outboundHeaders(
  rendered: Record<string, string>,
  configured: Record<string, string>,
  delivery: { id: string; secret?: string; body: string; now: number },
): Record<string, string> {
  const headers: Record<string, string> = {};
  const set = (name: string, value: string) => {
    for (const existing of Object.keys(headers))
      if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
    headers[name] = value;
  };
  for (const [name, value] of Object.entries(rendered)) set(name, value);
  for (const [name, value] of Object.entries(configured)) set(name, value);
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type'))
    set('Content-Type', 'application/json');
  set('User-Agent', userAgent);
  set('X-Alertgate-Delivery', delivery.id);
  if (delivery.secret !== undefined)
    set('X-Alertgate-Signature', signatureHeader(delivery.secret, delivery.body, Math.floor(delivery.now / 1000)));
  return headers;
}
