import { createHmac, createVerify, timingSafeEqual, X509Certificate, type KeyObject } from 'node:crypto';

/** Outcome of a request-signature check; `reason` says what is wrong, for the 401 message and the log. */
export type SignatureResult = { ok: true } | { ok: false; reason: string };

const verified: SignatureResult = { ok: true };
const rejected = (reason: string): SignatureResult => ({ ok: false, reason });

/** Input of {@link verifyHmacSignature}. */
export interface HmacSignatureInput {
  /** The request body exactly as received (the HMAC is over bytes, not over re-serialised JSON). */
  rawBody: Buffer;
  /** Value of the signature header; undefined when the request has none. */
  header: string | undefined;
  /** The shared secret configured on the integration. */
  secret: string;
  /** How the sender encodes the digest in the header. */
  encoding: 'hex' | 'base64';
  /** A literal prefix before the digest, e.g. `sha256=`; the header must start with it. */
  prefix?: string;
}

function decodeDigest(text: string, encoding: 'hex' | 'base64'): Buffer | undefined {
  const trimmed = text.trim();
  if (encoding === 'hex') {
    return /^(?:[0-9a-fA-F]{2})+$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : undefined;
  }
  return /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : undefined;
}

/**
 * Checks an HMAC-SHA256 request signature over the raw body (Sentry: header `sentry-hook-signature`, hex, keyed with
 * the integration's client secret). The digests are compared in constant time.
 */
export function verifyHmacSignature(input: HmacSignatureInput): SignatureResult {
  if (input.secret === '') return rejected('no signature secret is configured for this integration');
  if (input.header === undefined || input.header.trim() === '') return rejected('the signature header is missing');
  let text = input.header.trim();
  if (input.prefix !== undefined && input.prefix !== '') {
    if (!text.startsWith(input.prefix)) return rejected(`the signature header does not start with "${input.prefix}"`);
    text = text.slice(input.prefix.length);
  }
  const given = decodeDigest(text, input.encoding);
  if (given === undefined) return rejected(`the signature header is not valid ${input.encoding}`);
  const expected = createHmac('sha256', input.secret).update(input.rawBody).digest();
  // The digest length is public (32 bytes), so checking it first leaks nothing; timingSafeEqual needs equal lengths.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return rejected('the signature does not match the body');
  }
  return verified;
}

/**
 * Fetches the PEM text of an SNS signing certificate; injected so tests and the runtime choose the transport.
 * Certificates are cached per fetcher function, so pass the same function on every call.
 */
export type CertificateFetcher = (url: URL) => Promise<string>;

const snsHost = /^sns\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/;

function parseSnsUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.port !== '') return undefined;
  return snsHost.test(url.hostname) ? url : undefined;
}

/**
 * True when a SubscribeURL may be fetched to confirm a subscription: https on `sns.<region>.amazonaws.com` (or
 * `.amazonaws.com.cn`), path `/`, `Action=ConfirmSubscription`. Guards the confirmation GET against SSRF.
 */
export function isTrustedSnsUrl(url: string): boolean {
  const parsed = parseSnsUrl(url);
  return parsed !== undefined && parsed.pathname === '/' && parsed.searchParams.get('Action') === 'ConfirmSubscription';
}

/** Fields signed by SNS, in the documented order; `Subject` is signed only when the notification has one. */
const signedFields: Record<string, readonly string[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

const digestOfVersion: Record<string, string> = { '1': 'RSA-SHA1', '2': 'RSA-SHA256' };

/** The string SNS signs: `name\nvalue\n` per signed field of the message type, or why it cannot be built. */
function stringToSign(message: Record<string, unknown>): { text: string } | { reason: string } {
  const type = message.Type;
  const fields = typeof type === 'string' && Object.hasOwn(signedFields, type) ? signedFields[type] : undefined;
  if (fields === undefined) return { reason: `unknown SNS message type ${JSON.stringify(type ?? null)}` };
  let text = '';
  for (const field of fields) {
    const value = message[field];
    if (typeof value === 'string') {
      text += `${field}\n${value}\n`;
    } else if (field !== 'Subject') {
      return { reason: `the SNS message has no ${field}` };
    }
  }
  return { text };
}

const maxCachedCertificates = 64;
const certificateCaches = new WeakMap<CertificateFetcher, Map<string, Promise<KeyObject>>>();

/** The public key of a signing certificate, fetched once per URL and per fetcher; failed fetches are not cached. */
function signingKey(url: URL, fetchCertificate: CertificateFetcher): Promise<KeyObject> {
  let cache = certificateCaches.get(fetchCertificate);
  if (cache === undefined) {
    cache = new Map();
    certificateCaches.set(fetchCertificate, cache);
  }
  const cached = cache.get(url.href);
  if (cached !== undefined) return cached;
  const pending = fetchCertificate(url).then((pem) => new X509Certificate(pem).publicKey);
  if (cache.size >= maxCachedCertificates) cache.delete(cache.keys().next().value as string);
  cache.set(url.href, pending);
  pending.catch(() => cache.delete(url.href));
  return pending;
}

interface SnsSignedParts {
  digest: string;
  text: string;
  signature: Buffer;
  certUrl: URL;
}

/** Everything needed to check an SNS signature, taken from the message without any I/O. */
function snsSignedParts(message: Record<string, unknown>): SnsSignedParts | { reason: string } {
  const version = message.SignatureVersion;
  const known = typeof version === 'string' && Object.hasOwn(digestOfVersion, version);
  if (!known) return { reason: `unsupported SNS SignatureVersion ${JSON.stringify(version ?? null)}` };
  const canonical = stringToSign(message);
  if ('reason' in canonical) return canonical;
  const signature = typeof message.Signature === 'string' ? decodeDigest(message.Signature, 'base64') : undefined;
  if (signature === undefined) return { reason: 'the SNS Signature is missing or not valid base64' };
  const certUrl = typeof message.SigningCertURL === 'string' ? parseSnsUrl(message.SigningCertURL) : undefined;
  if (certUrl === undefined || !certUrl.pathname.endsWith('.pem')) {
    return { reason: 'SigningCertURL is not an https .pem URL on an sns.<region>.amazonaws.com host' };
  }
  return { digest: digestOfVersion[version], text: canonical.text, signature, certUrl };
}

/**
 * Verifies an AWS SNS HTTP(S) message (Notification, SubscriptionConfirmation, UnsubscribeConfirmation) as AWS
 * documents it: SignatureVersion 1 (SHA1withRSA) or 2 (SHA256withRSA) over the canonical string, with the
 * certificate at `SigningCertURL`, which must be https on an `sns.<region>.amazonaws.com(.cn)` host and end in `.pem`
 * before it is fetched. Certificates are cached by URL (per fetcher function). Checking `TopicArn` against the
 * topics the integration expects is the caller's job.
 */
export async function verifySnsMessage(
  message: Record<string, unknown>,
  fetchCertificate: CertificateFetcher,
): Promise<SignatureResult> {
  const parts = snsSignedParts(message);
  if ('reason' in parts) return rejected(parts.reason);
  let key: KeyObject;
  try {
    key = await signingKey(parts.certUrl, fetchCertificate);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return rejected(`cannot load the SNS signing certificate: ${detail}`);
  }
  let ok: boolean;
  try {
    ok = createVerify(parts.digest).update(parts.text, 'utf8').verify(key, parts.signature);
  } catch {
    ok = false;
  }
  return ok ? verified : rejected('the SNS signature does not match the message');
}
