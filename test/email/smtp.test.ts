import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { maxSmtpConnections } from '../../src/email/smtp-listener.js';
import { storeKinds } from '../support/stores.js';
import { api } from '../support/stack.js';
import { eventually } from '../support/waiting.js';
import { mailConfig, mailDomain, sendMail, smtpDialogue, startMailStack, type MailStack } from './mail-stack.js';

const config = mailConfig([
  { id: 'backups', email: { prefix: 'backups' } },
  { id: 'nas', email: { prefix: 'nas', mode: 'by_subject' } },
  {
    id: 'jobs',
    email: {
      prefix: 'jobs',
      mode: 'rules',
      discard_unmatched: true,
      rules: [
        { subject: '^PROBLEM', status: 'Critical', alert_key: 'host (?P<host>[a-z0-9-]+)' },
        { body: 'RESOLVED', status: 'Ok', alert_key: 'host ([a-z0-9-]+)' },
      ],
    },
  },
]);

interface EventRow {
  title: string;
  description: string | null;
  event_status: string;
  alert_key: string;
  labels: Record<string, string>;
  event_time: number;
  received_at: number;
}

for (const store of storeKinds) {
  describe(`email integration over real SMTP (${store})`, () => {
    let mail: MailStack;
    let port: number;
    before(async () => {
      mail = await startMailStack({ store, configFile: config });
      port = mail.smtp.port;
    });
    after(() => mail.close());

    /** The stored events of an integration whose title is `title`, once there are `count`. */
    const eventsTitled = (integration: string, title: string, count = 1) =>
      eventually(`${count} event(s) titled ${title}`, async () => {
        const rows = await mail.stack.testStore.store.db
          .selectFrom('events')
          .selectAll()
          .where('integration_id', '=', integration)
          .where('title', '=', title)
          .orderBy('seq')
          .execute();
        if (rows.length < count) return undefined;
        return rows.map((row): EventRow => ({ ...row, labels: JSON.parse(row.labels) as Record<string, string> }));
      });

    test('a plain mail becomes a Warning: title = subject, description = body, labels from, to, subject', async () => {
      const sent = await sendMail(port, {
        to: `backups@${mailDomain}`,
        subject: 'Nightly backup failed',
        text: 'Job db-full ended with code 2.\nSee the log.',
        date: new Date('2026-11-30T02:00:00Z'),
      });
      assert.match(sent.response, /^250 /);
      const [event] = await eventsTitled('backups', 'Nightly backup failed');
      assert.equal(event.event_status, 'Warning');
      assert.equal(event.description, 'Job db-full ended with code 2.\nSee the log.');
      assert.equal(event.labels.from, 'backup@nas.example.org');
      assert.equal(event.labels.to, `backups@${mailDomain}`);
      assert.equal(event.labels.subject, 'Nightly backup failed');
      assert.equal(event.labels.body_cut, undefined);
      assert.equal(event.labels.attachment_stripped, undefined);
      assert.equal(event.event_time, Date.parse('2026-11-30T02:00:00Z'), 'the Date header is the event time');
      assert.match(event.alert_key, /^msg-/);
    });

    test('new_alert mode: two mails with the same subject are two alerts', async () => {
      await sendMail(port, { to: `backups@${mailDomain}`, subject: 'Disk check', text: 'one' });
      await sendMail(port, { to: `backups@${mailDomain}`, subject: 'Disk check', text: 'two' });
      const events = await eventsTitled('backups', 'Disk check', 2);
      assert.notEqual(events[0].alert_key, events[1].alert_key);
    });

    test('an HTML-only mail is described by its text', async () => {
      await sendMail(port, {
        to: `backups@${mailDomain}`,
        subject: 'HTML report',
        html: '<html><body><h1>Backup</h1><p>3 files <b>failed</b> &amp; 2 skipped</p></body></html>',
      });
      const [event] = await eventsTitled('backups', 'HTML report');
      assert.ok(event.description?.includes('3 files failed & 2 skipped'), event.description ?? '');
      assert.ok(!event.description?.includes('<b>'), 'no markup left');
    });

    test('multipart with attachments: the text part is kept, the attachments dropped and labelled', async () => {
      await sendMail(port, {
        to: `backups@${mailDomain}`,
        subject: 'Report with attachments',
        text: 'Summary in the attachment.',
        html: '<p>Summary in the attachment.</p>',
        attachments: [
          { filename: 'report.csv', content: 'a,b\n1,2\n' },
          { filename: 'blob.bin', content: Buffer.alloc(50_000, 7) },
        ],
      });
      const [event] = await eventsTitled('backups', 'Report with attachments');
      assert.equal(event.description, 'Summary in the attachment.');
      assert.equal(event.labels.attachment_stripped, 'true');
    });

    test('a non-ASCII subject (RFC 2047) is decoded', async () => {
      const subject = 'Sauvegarde échouée — 备份失败 🔥';
      await sendMail(port, { to: `backups@${mailDomain}`, subject, text: 'é' });
      const [event] = await eventsTitled('backups', subject);
      assert.equal(event.labels.subject, subject);
    });

    test('a body over 32 KB is cut at 32 KB with body_cut=true', async () => {
      const text = 'é'.repeat(20_000) + 'END';
      await sendMail(port, { to: `backups@${mailDomain}`, subject: 'Long body', text });
      const [event] = await eventsTitled('backups', 'Long body');
      assert.equal(event.labels.body_cut, 'true');
      const bytes = Buffer.byteLength(event.description ?? '', 'utf8');
      assert.ok(bytes <= 32 * 1024 && bytes > 32 * 1024 - 4, `${bytes} bytes`);
      assert.ok(!event.description?.includes('\uFFFD'), 'never cut inside a character');
    });

    test('by_subject: a mail with the same subject (Re: too) updates the open alert', async () => {
      await sendMail(port, { to: `nas@${mailDomain}`, subject: 'RAID degraded on nas-2', text: 'disk 3' });
      await sendMail(port, { to: `nas@${mailDomain}`, subject: 'Re:  raid degraded on NAS-2', text: 'still' });
      const first = await eventsTitled('nas', 'RAID degraded on nas-2');
      const second = await eventsTitled('nas', 'Re: raid degraded on NAS-2');
      assert.equal(first[0].alert_key, second[0].alert_key);
      const alert = await eventually('the alert with two events', async () => {
        const row = await mail.stack.testStore.store.db
          .selectFrom('alerts')
          .selectAll()
          .where('integration_id', '=', 'nas')
          .where('alert_key', '=', first[0].alert_key)
          .executeTakeFirst();
        return row && row.event_cnt === 2 ? row : undefined;
      });
      assert.equal(alert.alert_status, 'Warning');
    });

    test('rules: a later mail closes the alert an earlier one opened; unmatched mail is discarded', async () => {
      await sendMail(port, {
        to: `jobs@${mailDomain}`,
        subject: 'PROBLEM: backup on host db-7',
        text: 'exit 1',
      });
      const [opened] = await eventsTitled('jobs', 'PROBLEM: backup on host db-7');
      assert.equal(opened.event_status, 'Critical');
      assert.equal(opened.alert_key, 'db-7', 'the named group is the key');
      await sendMail(port, { to: `jobs@${mailDomain}`, subject: 'Backup on host db-7', text: 'RESOLVED at 03:00' });
      const [closing] = await eventsTitled('jobs', 'Backup on host db-7');
      assert.equal(closing.event_status, 'Ok');
      assert.equal(closing.alert_key, 'db-7', 'the first group is the key');
      await eventually('the alert recovered', async () => {
        const row = await mail.stack.testStore.store.db
          .selectFrom('alerts')
          .selectAll()
          .where('integration_id', '=', 'jobs')
          .where('alert_key', '=', 'db-7')
          .executeTakeFirst();
        return row?.alert_status === 'Ok' ? row : undefined;
      });
      const sent = await sendMail(port, { to: `jobs@${mailDomain}`, subject: 'Weekly newsletter', text: 'hello' });
      assert.match(sent.response, /^250 /, 'discarded mail is still accepted');
      await mail.stack.waitForIdle();
      const newsletter = await mail.stack.testStore.store.db
        .selectFrom('events')
        .select('event_id')
        .where('title', '=', 'Weekly newsletter')
        .execute();
      assert.equal(newsletter.length, 0);
    });

    test('the raw mail is the integration’s recent payload', async () => {
      await sendMail(port, { to: `backups@${mailDomain}`, subject: 'Payload check', text: 'raw body here' });
      const payloads = await eventually('the recent payload', async () => {
        const res = await api(mail.stack, 'GET', '/integrations/backups/payloads');
        const items = (res.body.data as { items: Array<Record<string, unknown>> }).items;
        return items.some((item) => (item.headers as Record<string, string>).subject === 'Payload check')
          ? items
          : undefined;
      });
      const payload = payloads.find((item) => (item.headers as Record<string, string>).subject === 'Payload check');
      assert.equal(payload?.adapter, 'email');
      assert.equal(payload?.method, 'SMTP');
      assert.equal(payload?.content_type, 'message/rfc822');
      assert.match(String(payload?.body), /Subject: Payload check/);
      assert.match(String(payload?.body), /raw body here/);
      assert.equal(payload?.events, 1);
    });
  });
}

describe('SMTP refusals and recipients (no store involved)', () => {
  let mail: MailStack;
  before(async () => {
    const configFile = mailConfig([
      { id: 'backups', email: { prefix: 'backups' } },
      { id: 'nas', email: { prefix: 'nas' } },
      { id: 'old', email: { prefix: 'old' } },
      { id: 'slow', email: { prefix: 'slow' } },
    ]);
    const [, , old, slow] = configFile.integrations ?? [];
    old.enabled = false;
    slow.rate_limit = { per_second: 1, per_minute: 1 };
    mail = await startMailStack({ store: 'sqlite', worker: false, configFile });
  });

  /** The queued events of an integration. */
  const queuedFor = async (integration: string) => {
    const jobs = await mail.stack.queue.getJobs(['waiting']);
    return jobs.flatMap((job) => job.data.events).filter((event) => event.integration_id === integration);
  };

  test('a disabled integration refuses its mail at RCPT with 550 5.2.1', async () => {
    const replies = await smtpDialogue(mail.smtp.port, [
      'EHLO client.example.org',
      'MAIL FROM:<a@example.org>',
      `RCPT TO:<old@${mailDomain}>`,
      'QUIT',
    ]);
    assert.match(replies[3], /^550 5\.2\.1 .*integration old is disabled/);
  });

  test('a mail to two integrations is queued for each, in one 250', async () => {
    const sent = await sendMail(mail.smtp.port, {
      to: [`backups@${mailDomain}`, `nas@${mailDomain}`],
      subject: 'For both',
      text: 'x',
    });
    assert.match(sent.response, /^250 OK queued as /);
    assert.equal((await queuedFor('backups')).filter((event) => event.title === 'For both').length, 1);
    assert.equal((await queuedFor('nas')).filter((event) => event.title === 'For both').length, 1);
    const metrics = await (await fetch(`${mail.stack.baseUrl}/metrics`)).text();
    assert.match(metrics, /alertgate_smtp_mails_received_total [1-9]/);
    assert.match(metrics, /alertgate_smtp_mails_accepted_total\{integration="nas",outcome="queued"\} [1-9]/);
  });

  test('over the integration budget: 451 4.7.1, the sender retries later', async () => {
    await sendMail(mail.smtp.port, { to: `slow@${mailDomain}`, subject: 'first', text: 'x' });
    await assert.rejects(
      sendMail(mail.smtp.port, { to: `slow@${mailDomain}`, subject: 'second', text: 'x' }),
      (error: { responseCode?: number; response?: string }) =>
        error.responseCode === 451 && /^451 4\.7\.1 /.test(error.response ?? ''),
    );
    assert.deepEqual(
      (await queuedFor('slow')).map((event) => event.title),
      ['first'],
    );
  });
  after(() => mail.close());

  test('an unknown recipient is refused at RCPT with 550 5.1.1', async () => {
    const replies = await smtpDialogue(mail.smtp.port, [
      'EHLO client.example.org',
      'MAIL FROM:<a@example.org>',
      `RCPT TO:<nobody@${mailDomain}>`,
      `RCPT TO:<backups@other.example.com>`,
      `RCPT TO:<BACKUPS@${mailDomain.toUpperCase()}>`,
      'QUIT',
    ]);
    assert.match(replies[3], /^550 5\.1\.1 <nobody@alerts\.example\.com>/);
    assert.match(replies[4], /^550 5\.1\.1/, 'another domain is no mailbox here');
    assert.match(replies[5], /^250 /, 'addresses are case-insensitive');
    await assert.rejects(
      sendMail(mail.smtp.port, { to: `nobody@${mailDomain}`, subject: 'x', text: 'y' }),
      (error: { responseCode?: number }) => error.responseCode === 550,
    );
  });

  test('SIZE is advertised; a 6 MB mail is refused with 552', async () => {
    const [, ehlo] = await smtpDialogue(mail.smtp.port, ['EHLO client.example.org', 'QUIT']);
    assert.match(ehlo, /250[- ]SIZE 5242880/);
    assert.doesNotMatch(ehlo, /STARTTLS|AUTH/, 'neither offered when not configured');
    await assert.rejects(
      sendMail(mail.smtp.port, {
        to: `backups@${mailDomain}`,
        subject: 'too big',
        text: 'x'.repeat(6 * 1024 * 1024),
      }),
      (error: { responseCode?: number }) => error.responseCode === 552,
    );
    const metrics = await (await fetch(`${mail.stack.baseUrl}/metrics`)).text();
    assert.match(metrics, /alertgate_smtp_mails_refused_total\{reason="too_large"\} [1-9]/);
    assert.match(metrics, /alertgate_smtp_mails_refused_total\{reason="unknown_recipient"\} [1-9]/);
  });

  test('one connection over the cap is answered 421', async () => {
    const greet = (socket: Socket) =>
      new Promise<string>((resolve, reject) => {
        socket.once('error', reject);
        socket.once('data', (chunk) => resolve(chunk.toString('utf8')));
      });
    const open = Array.from({ length: maxSmtpConnections }, () => connect(mail.smtp.port, '127.0.0.1'));
    try {
      for (const greeting of await Promise.all(open.map(greet))) assert.match(greeting, /^220 /);
      const extra = connect(mail.smtp.port, '127.0.0.1');
      open.push(extra);
      assert.match(await greet(extra), /^421 /);
    } finally {
      for (const socket of open) socket.destroy();
    }
    // The listener frees the slots as it sees the connections close.
    await eventually('a free slot again', async () => {
      const [greeting] = await smtpDialogue(mail.smtp.port, ['QUIT']);
      return greeting.startsWith('220 ') ? true : undefined;
    });
  });

  test('a 6 MB mail announced with SIZE= is refused at MAIL FROM', async () => {
    const replies = await smtpDialogue(mail.smtp.port, [
      'EHLO client.example.org',
      `MAIL FROM:<a@example.org> SIZE=${6 * 1024 * 1024}`,
      'QUIT',
    ]);
    assert.match(replies[2], /^552 /);
  });
});
