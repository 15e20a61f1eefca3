import { AppError, unavailable } from '../errors.js';
import { isPlainObject } from '../plain-object.js';
import type { AdapterManifest } from './manifest.js';
import type { AdapterRequest } from './body-parsing.js';
import { isTrustedSnsUrl, verifyHmacSignature, verifySnsMessage, type CertificateFetcher } from './signatures.js';

/** GETs a URL and resolves when it answered 2xx; used only to confirm an SNS subscription. */
export type UrlFetcher = (url: string) => Promise<void>;

const fetchTimeoutMs = 5000;
const maxCertificateBytes = 64 * 1024;

/** Default certificate fetcher: https GET, no redirects (the URL was checked, a redirect target was not). */
export const fetchSnsCertificate: CertificateFetcher = async (url: URL) => {
  const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(fetchTimeoutMs) });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url.host}`);
  const text = await response.text();
  if (text.length > maxCertificateBytes) throw new Error('the certificate is implausibly large');
  return text;
};

/** Default subscription confirmer: one GET of the (already checked) SubscribeURL, no redirects. */
export const fetchSubscribeUrl: UrlFetcher = async (url: string) => {
  const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(fetchTimeoutMs) });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${new URL(url).host}`);
};

/**
 * Checks an HMAC-SHA256 signature over the raw body when the manifest asks for one and the integration has a
 * secret (without one, verification is skipped; start-up warns). Throws Unauthorized with the reason.
 */
export function checkHmacSignature(
  manifest: AdapterManifest,
  request: AdapterRequest,
  secret: string | undefined,
): void {
  const spec = manifest.signature;
  if (spec?.type !== 'hmac-sha256' || secret === undefined) return;
  const result = verifyHmacSignature({
    rawBody: request.rawBody,
    header: request.headers[spec.header.toLowerCase()],
    secret,
    encoding: spec.encoding,
    ...(spec.prefix !== undefined && { prefix: spec.prefix }),
  });
  if (!result.ok) throw new AppError('Unauthorized', `request signature (${spec.header}): ${result.reason}`);
}

/** The I/O an SNS subscription needs, injectable for tests. */
export interface SnsTransport {
  fetchCertificate: CertificateFetcher;
  fetchUrl: UrlFetcher;
}

/**
 * For `aws-sns` adapters: a body that is an SNS message (it has a `Type`) must carry a valid SNS signature
 * (Unauthorized otherwise). A SubscriptionConfirmation is then confirmed by one GET of its SubscribeURL, and only
 * when that is an AWS SNS ConfirmSubscription URL. A body without `Type` (raw message delivery, which SNS does not
 * sign) is authenticated by the integration key alone.
 */
export async function handleSnsMessage(
  manifest: AdapterManifest,
  body: unknown,
  transport: SnsTransport,
): Promise<void> {
  if (manifest.signature?.type !== 'aws-sns') return;
  if (!isPlainObject(body) || !('Type' in body)) return;
  const message = body;
  const verdict = await verifySnsMessage(message, transport.fetchCertificate);
  if (!verdict.ok) throw new AppError('Unauthorized', `SNS message signature: ${verdict.reason}`);
  if (message.Type !== 'SubscriptionConfirmation') return;
  const url = message.SubscribeURL;
  if (typeof url !== 'string' || !isTrustedSnsUrl(url)) {
    throw new AppError(
      'InvalidParameter',
      'SubscribeURL is not an https://sns.<region>.amazonaws.com/?Action=ConfirmSubscription URL; the subscription was not confirmed',
    );
  }
  try {
    await transport.fetchUrl(url);
  } catch (error) {
    // SNS redelivers the confirmation when it does not get a 2xx, so a 503 lets it try again.
    throw unavailable(`could not confirm the SNS subscription: ${(error as Error).message}`, 30);
  }
}
