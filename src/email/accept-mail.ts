import type { Integration } from '../config/types.js';
import { enqueueMapped, type IngestDeps } from '../ingest/accept.js';
import { storableBody } from '../ingest/redact.js';
import { mapMail, type MailFacts } from './map-mail.js';

/*
 * Accepting one mail for one integration, the way every push is accepted: the recipient was authenticated at RCPT
 * time; here budget → map → stamp → enqueue, then the raw mail joins the integration's recent payloads.
 */

/** Most of a raw mail kept as a recent payload; the rest is cut (a mail may be 5 MB, twenty are kept). */
export const keptMailBytes = 64 * 1024;

/** One mail as the SMTP listener read it. */
export interface ReceivedMail {
  raw: Buffer;
  facts: MailFacts;
  requestId: string;
  receivedAt: number;
}

/** What became of the mail: queued as an event, or discarded by the integration's rules (still a 250). */
export type MailOutcome = { outcome: 'queued'; alertKey: string } | { outcome: 'discarded' };

/** The raw mail as a recent payload may hold it: at most {@link keptMailBytes}, credentials redacted. */
export function storableMail(raw: Buffer): string {
  if (raw.length <= keptMailBytes) return storableBody(raw.toString('utf8'));
  const head = raw.subarray(0, keptMailBytes).toString('utf8');
  return storableBody(`${head}\n[… ${raw.length - keptMailBytes} more bytes not kept]`);
}

/**
 * Budget, map, stamp and enqueue one mail for one integration. Throws the AppError of the budget
 * (RequestTooFrequently) or of the queue (ServiceUnavailable): the listener answers those 451, the sender retries.
 */
export async function acceptMail(deps: IngestDeps, integration: Integration, mail: ReceivedMail): Promise<MailOutcome> {
  const email = integration.email;
  if (!email) throw new Error(`integration ${integration.id} has no mailbox`);
  await deps.rateLimiter.check(integration);
  const event = mapMail(mail.facts, email, {
    integrationId: integration.id,
    integrationName: integration.name,
    receivedAt: mail.receivedAt,
  });
  const accepted = event
    ? await enqueueMapped(deps, integration, {
        events: [event],
        requestId: mail.requestId,
        receivedAt: mail.receivedAt,
      })
    : undefined;
  deps.recent.record(integration.id, {
    request_id: mail.requestId,
    adapter: 'email',
    received_at: mail.receivedAt,
    method: 'SMTP',
    content_type: 'message/rfc822',
    headers: {
      from: mail.facts.from,
      to: mail.facts.to,
      subject: mail.facts.subject,
      ...(mail.facts.messageId !== undefined && { 'message-id': mail.facts.messageId }),
    },
    query: {},
    body: storableMail(mail.raw),
    events: accepted?.events.length ?? 0,
  });
  return accepted ? { outcome: 'queued', alertKey: accepted.events[0].alert_key } : { outcome: 'discarded' };
}
