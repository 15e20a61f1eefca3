import { createHash } from 'node:crypto';
import { maxEventTimeMs, normaliseStandardEvent } from '../events/normalise.js';
import { truncateCodePoints } from '../events/truncate.js';
import type { EventStatus, NormalisedEvent } from '../events/types.js';
import { regexInput } from '../rules/regex-guard.js';
import type { EmailSettings } from './settings.js';

/*
 * One parsed mail → one standard event, per Flashduty's email integration: title = subject, description = text body
 * (cut at 32 KB, label body_cut=true), attachments dropped (label attachment_stripped=true), severity Warning unless a
 * rule says otherwise. Pure: the SMTP listener parses and queues, this only decides.
 */

/** What the mapping reads of a mail, already decoded (RFC 2047 words, transfer encodings, HTML turned to text). */
export interface MailFacts {
  subject: string;
  /** The text part, or the HTML part as text when there is no text part. */
  text: string;
  /** Sender address (From header, else the envelope sender). */
  from: string;
  /** The To header as text. */
  to: string;
  messageId?: string;
  /** The Date header, ms since the epoch. */
  date?: number;
  attachments: number;
  /** sha256 of the raw message, hex: the identity of a mail without Message-ID. */
  rawDigest: string;
}

/** Who receives the mail, for the event's context. */
export interface MailContext {
  integrationId: string;
  integrationName: string;
  receivedAt: number;
}

/** Longest description kept, in UTF-8 bytes (Flashduty's email limit). */
export const maxMailBodyBytes = 32 * 1024;
/** Longest alert key (contract §3). */
const maxAlertKey = 255;
const noSubject = '(no subject)';

/** The text cut to at most `maxBytes` UTF-8 bytes, never inside a character; `cut` says whether anything went. */
export function cutUtf8(text: string, maxBytes: number): { text: string; cut: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, cut: false };
  let end = maxBytes;
  // Back off continuation bytes (10xxxxxx) so the cut falls on a character boundary.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end -= 1;
  return { text: bytes.subarray(0, end).toString('utf8'), cut: true };
}

/** A subject as mail threads share it: reply/forward prefixes gone, spaces collapsed, lower case. */
export function normaliseSubject(subject: string): string {
  let text = subject.trim().replace(/\s+/g, ' ');
  for (;;) {
    const stripped = text.replace(/^(re|fw|fwd|aw|wg|sv|antw)\s*(\[\d+\])?\s*:\s*/i, '');
    if (stripped === text) break;
    text = stripped;
  }
  return text.toLowerCase();
}

const digest = (text: string): string => createHash('sha256').update(text).digest('base64url').slice(0, 22);

/** Alert key of a subject: the same normalised subject, the same alert. */
export const subjectAlertKey = (subject: string): string => `subj-${digest(normaliseSubject(subject))}`;

/** Alert key of one mail: its Message-ID, else its content (a resent copy is the same alert). */
const messageAlertKey = (mail: MailFacts): string =>
  `msg-${digest(mail.messageId !== undefined && mail.messageId !== '' ? mail.messageId : mail.rawDigest)}`;

/** The named capture group's value (the first one set), else the first group's, else the whole match. */
function extracted(regex: RegExp, texts: string[]): string | undefined {
  for (const text of texts) {
    const match = regex.exec(regexInput(text));
    if (!match) continue;
    const named = match.groups && Object.values(match.groups).find((value) => value !== undefined && value !== '');
    const value = (named ?? match[1] ?? match[0]).trim();
    if (value !== '') return truncateCodePoints(value, maxAlertKey);
  }
  return undefined;
}

/** Status and alert key of a mail under its integration's mode; undefined: discard it (rules, none matched). */
export function classifyMail(
  mail: MailFacts,
  settings: EmailSettings,
): { status: EventStatus; alertKey: string } | undefined {
  if (settings.mode === 'new_alert') return { status: 'Warning', alertKey: messageAlertKey(mail) };
  const bySubject = subjectAlertKey(mail.subject);
  if (settings.mode === 'by_subject') return { status: 'Warning', alertKey: bySubject };
  const body = regexInput(mail.text);
  const rule = settings.rules.find(
    (candidate) =>
      (!candidate.subject || candidate.subject.test(mail.subject)) &&
      (!candidate.body || candidate.body.test(body)) &&
      (!candidate.from || candidate.from.test(mail.from)),
  );
  if (!rule) return settings.discardUnmatched ? undefined : { status: 'Warning', alertKey: bySubject };
  const key = rule.alertKey && extracted(rule.alertKey, [mail.subject, mail.text]);
  return { status: rule.status, alertKey: key ?? bySubject };
}

/** The Date header when a store can hold it and it is a real date; otherwise the time received. */
function eventTimeOf(mail: MailFacts, receivedAt: number): number {
  const date = mail.date;
  return date !== undefined && Number.isFinite(date) && date >= 1e11 && date <= maxEventTimeMs ? date : receivedAt;
}

/** The standard event of one mail, or undefined when the integration's rules discard it. */
export function mapMail(mail: MailFacts, settings: EmailSettings, context: MailContext): NormalisedEvent | undefined {
  const decided = classifyMail(mail, settings);
  if (!decided) return undefined;
  const subject = mail.subject.trim() === '' ? noSubject : mail.subject;
  const body = cutUtf8(mail.text.replace(/\0/g, ''), maxMailBodyBytes);
  const labels: Record<string, string> = { from: mail.from, to: mail.to, subject };
  if (body.cut) labels.body_cut = 'true';
  if (mail.attachments > 0) labels.attachment_stripped = 'true';
  const event = normaliseStandardEvent(
    {
      title: subject.replace(/\s+/g, ' ').trim(),
      event_status: decided.status,
      alert_key: decided.alertKey,
      labels,
      event_time: eventTimeOf(mail, context.receivedAt),
    },
    {
      integrationId: context.integrationId,
      integrationName: context.integrationName,
      integrationType: 'email',
      receivedAt: context.receivedAt,
      titleIsLiteral: true,
    },
  );
  // The body keeps its 32 KB, past the standard event's 2048: mail is where long reports come from.
  const description = body.text.trim();
  return description === '' ? event : { ...event, description };
}
