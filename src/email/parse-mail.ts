import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject } from 'mailparser';
import type { MailFacts } from './map-mail.js';

/*
 * Raw RFC 5322 message → MailFacts. mailparser decodes RFC 2047 words, transfer encodings and charsets, and turns an
 * HTML-only body into text; attachments are only counted, they never reach an event.
 */

function addressText(field: AddressObject | AddressObject[] | undefined): string {
  if (field === undefined) return '';
  return (Array.isArray(field) ? field : [field]).map((item) => item.text).join(', ');
}

/** The facts of a raw mail; `envelopeFrom` stands in for a missing From header. */
export async function parseMail(raw: Buffer, envelopeFrom: string): Promise<MailFacts> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true, skipTextToHtml: true });
  const from = parsed.from?.value.find((entry) => entry.address)?.address ?? envelopeFrom;
  const date = parsed.date?.getTime();
  return {
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    from,
    to: addressText(parsed.to),
    ...(parsed.messageId !== undefined && { messageId: parsed.messageId }),
    ...(date !== undefined && !Number.isNaN(date) && { date }),
    attachments: parsed.attachments.length,
    rawDigest: createHash('sha256').update(raw).digest('hex'),
  };
}
