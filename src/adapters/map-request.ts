import { AppError } from '../errors.js';
import type { NormalisedEvent } from '../events/types.js';
import { checkContentType, parseAdapterBody, requestBytes, type AdapterRequest } from './body-parsing.js';
import type { LoadedAdapter } from './registry.js';
import { checkHmacSignature, handleSnsMessage, type SnsTransport } from './request-checks.js';
import {
  previewPayload,
  transformPayload,
  type TransformContext,
  type TransformProblem,
  type TransformResult,
} from './transform.js';

/** The sender checks a live push runs; a replayed, previewed or fixture request was either checked before or is a sample. */
export interface SenderChecks {
  /** The integration's secret, for adapters whose manifest asks for an HMAC signature (none: not checked). */
  secret: string | undefined;
  /** How SNS certificates and subscription URLs are fetched, for `aws-sns` adapters. */
  sns: SnsTransport;
}

/** How {@link mapRequest} runs. */
export interface MapRequestOptions {
  /** Check the sender (content type first, then the HMAC or SNS signature) as a live push does. */
  senderChecks?: SenderChecks;
  /**
   * Called with the error when the payload itself cannot be read or mapped (InvalidParameter, InvalidContentType),
   * not when the sender failed a check: such a payload is worth keeping for replay.
   */
  onRejected?: (error: AppError) => Promise<void>;
}

const isPayloadProblem = (error: unknown): error is AppError =>
  error instanceof AppError && (error.code === 'InvalidParameter' || error.code === 'InvalidContentType');

/**
 * THE way to run an adapter over a request: content type, signature (as options), body parsing, SNS handshake, the
 * mapping and normalisation. Push, native routes, replay, fixtures, the CLI and benchmarks call it, so a fixture that
 * passes maps exactly as a push does. Throws the AppError the push endpoint answers.
 */
export async function mapRequest(
  adapter: LoadedAdapter,
  request: AdapterRequest,
  context: TransformContext,
  options: MapRequestOptions = {},
): Promise<TransformResult> {
  const { senderChecks } = options;
  if (senderChecks) {
    checkContentType(adapter.manifest, request);
    checkHmacSignature(adapter.manifest, request, senderChecks.secret);
  }
  try {
    const body = await parseAdapterBody(adapter.manifest, request);
    if (senderChecks) await handleSnsMessage(adapter.manifest, body, senderChecks.sns);
    return await transformPayload(
      adapter,
      { body, headers: request.headers, query: request.query },
      context,
      requestBytes(request),
    );
  } catch (error) {
    if (options.onRejected && isPayloadProblem(error)) await options.onRejected(error);
    throw error;
  }
}

/** What a preview shows: every valid event and every problem, never a thrown 400. */
export interface PreviewResult {
  events: NormalisedEvent[];
  errors: TransformProblem[];
}

/** {@link mapRequest} for the preview API: the same parsing and mapping, but problems are listed, not thrown. */
export async function previewRequest(
  adapter: LoadedAdapter,
  request: AdapterRequest,
  context: TransformContext,
): Promise<PreviewResult> {
  let body: unknown;
  try {
    body = await parseAdapterBody(adapter.manifest, request);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { events: [], errors: [{ code: error.code, message: error.message }] };
  }
  return previewPayload(
    adapter,
    { body, headers: request.headers, query: request.query },
    context,
    requestBytes(request),
  );
}
