import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileEmailSettings, type EmailConfig } from '../../src/email/settings.js';
import {
  classifyMail,
  cutUtf8,
  mapMail,
  normaliseSubject,
  subjectAlertKey,
  type MailFacts,
} from '../../src/email/map-mail.js';

const receivedAt = Date.parse('2026-12-01T10:00:00Z');
const context = { integrationId: 'mail', integrationName: 'Mail', receivedAt };

const mail = (facts: Partial<MailFacts> = {}): MailFacts => ({
  subject: 'Backup failed',
  text: 'job db ended with 2',
  from: 'nas@example.org',
  to: 'backups@alerts.example.com',
  messageId: '<1@nas>',
  date: Date.parse('2026-12-01T09:59:00Z'),
  attachments: 0,
  rawDigest: 'ab',
  ...facts,
});

const settings = (email: Omit<EmailConfig, 'prefix'> = {}) => compileEmailSettings({ prefix: 'x', ...email });

test('normaliseSubject: reply and forward prefixes, spaces and case do not make another subject', () => {
  const cases: Array<[string, string]> = [
    ['Disk full', 'disk full'],
    ['  Re: RE:  Disk   full ', 'disk full'],
    ['Fwd: AW: WG: disk full', 'disk full'],
    ['Re[2]: disk full', 'disk full'],
    ['Report: disk full', 'report: disk full'],
  ];
  for (const [subject, expected] of cases) assert.equal(normaliseSubject(subject), expected, subject);
});

test('cutUtf8 cuts on a character boundary and says so', () => {
  assert.deepEqual(cutUtf8('abc', 3), { text: 'abc', cut: false });
  assert.deepEqual(cutUtf8('aé', 2), { text: 'a', cut: true });
  assert.deepEqual(cutUtf8('🔥🔥', 7), { text: '🔥', cut: true });
});

test('new_alert: Warning, key from the Message-ID, else from the content', () => {
  const first = classifyMail(mail(), settings());
  assert.equal(first?.status, 'Warning');
  assert.equal(classifyMail(mail({ subject: 'other' }), settings())?.alertKey, first?.alertKey, 'same Message-ID');
  const a = classifyMail(mail({ messageId: undefined, rawDigest: 'one' }), settings());
  const b = classifyMail(mail({ messageId: undefined, rawDigest: 'two' }), settings());
  assert.notEqual(a?.alertKey, b?.alertKey);
});

test('by_subject: the key of the normalised subject', () => {
  const decided = classifyMail(mail({ subject: 'RE: backup FAILED' }), settings({ mode: 'by_subject' }));
  assert.deepEqual(decided, { status: 'Warning', alertKey: subjectAlertKey('Backup failed') });
});

test('rules: first match wins; key by named group, first group, whole match, else the subject', () => {
  const rules = settings({
    mode: 'rules',
    rules: [
      { subject: '^PROBLEM', from: '@monitor\\.example$', status: 'Critical', alert_key: 'on (?P<host>\\S+)' },
      { body: '(?i)recovered', status: 'Ok', alert_key: 'on (\\S+)' },
      { subject: 'quota', status: 'Info', alert_key: 'vol-\\d{1,5}' },
      { subject: 'latency', status: 'Warning', alert_key: 'nothing-like-this' },
    ],
  });
  const cases: Array<[Partial<MailFacts>, { status: string; alertKey: string } | undefined]> = [
    [
      { subject: 'PROBLEM on db-1', from: 'x@monitor.example' },
      { status: 'Critical', alertKey: 'db-1' },
    ],
    [
      { subject: 'PROBLEM on db-1', from: 'x@elsewhere.example' },
      { status: 'Warning', alertKey: subjectAlertKey('PROBLEM on db-1') },
    ],
    [
      { subject: 'All good', text: 'Service RECOVERED on db-1 at 3' },
      { status: 'Ok', alertKey: 'db-1' },
    ],
    [{ subject: 'quota of vol-42 reached' }, { status: 'Info', alertKey: 'vol-42' }],
    [{ subject: 'latency high' }, { status: 'Warning', alertKey: subjectAlertKey('latency high') }],
  ];
  for (const [facts, expected] of cases) assert.deepEqual(classifyMail(mail(facts), rules), expected, facts.subject);
});

test('rules with discard_unmatched: unmatched mail is no event', () => {
  const rules = settings({
    mode: 'rules',
    discard_unmatched: true,
    rules: [{ subject: 'PROBLEM', status: 'Critical' }],
  });
  assert.equal(mapMail(mail({ subject: 'newsletter' }), rules, context), undefined);
  assert.equal(mapMail(mail({ subject: 'PROBLEM x' }), rules, context)?.event_status, 'Critical');
});

test('mapMail: title, description, labels and event time', () => {
  const event = mapMail(mail({ text: 'x'.repeat(40_000), attachments: 2 }), settings(), context);
  assert.equal(event?.title, 'Backup failed');
  assert.equal(event?.description?.length, 32 * 1024);
  assert.deepEqual(event?.labels, {
    from: 'nas@example.org',
    to: 'backups@alerts.example.com',
    subject: 'Backup failed',
    body_cut: 'true',
    attachment_stripped: 'true',
  });
  assert.equal(event?.event_time, Date.parse('2026-12-01T09:59:00Z'));
  assert.equal(mapMail(mail({ date: undefined }), settings(), context)?.event_time, receivedAt);
  assert.equal(mapMail(mail({ date: 1e20 }), settings(), context)?.event_time, receivedAt, 'beyond year 9999');
});

test('mapMail: a subject is a title, never a title rule; empty subject and body', () => {
  const templated = mapMail(mail({ subject: '$resource::{{.Title}} down' }), settings(), context);
  assert.equal(templated?.title, '$resource::{{.Title}} down');
  const empty = mapMail(mail({ subject: '  ', text: ' \n' }), settings(), context);
  assert.equal(empty?.title, '(no subject)');
  assert.equal(empty?.description, undefined);
  const long = mapMail(mail({ subject: 's'.repeat(600) }), settings(), context);
  assert.equal(long?.title.length, 512);
});
