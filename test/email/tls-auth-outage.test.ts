import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { makeSelfSignedPair } from '../../src/self-signed.js';
import { eventually, freePort } from '../support/waiting.js';
import { mailConfig, mailDomain, sendMail, smtpDialogue, startMailStack, type MailStack } from './mail-stack.js';

const auth = { username: 'monitor', password: 'mail-secret-1' };

describe('STARTTLS and AUTH', () => {
  let mail: MailStack;
  before(async () => {
    const { keyPem: key, certPem: cert } = makeSelfSignedPair(mailDomain);
    mail = await startMailStack({
      store: 'sqlite',
      worker: false,
      configFile: mailConfig([{ id: 'backups', email: { prefix: 'backups' } }], { tls: { key, cert }, auth }),
    });
  });
  after(async () => {
    await mail.close();
  });

  test('STARTTLS is offered; AUTH works only after it; mail needs AUTH', async () => {
    const replies = await smtpDialogue(mail.smtp.port, [
      'EHLO client.example.org',
      'MAIL FROM:<a@example.org>',
      'AUTH PLAIN AG1vbml0b3IAbWFpbC1zZWNyZXQtMQ==',
      'QUIT',
    ]);
    assert.match(replies[1], /STARTTLS/);
    assert.match(replies[2], /^530 /, 'no mail before AUTH');
    assert.match(replies[3], /^538 /, 'no AUTH in clear text when TLS is configured');
  });

  test('over STARTTLS with the right credentials a mail is queued; wrong ones get 535', async () => {
    const transport = { requireTLS: true, ignoreTLS: false, tls: { rejectUnauthorized: false } };
    const sent = await sendMail(
      mail.smtp.port,
      { to: `backups@${mailDomain}`, subject: 'over TLS', text: 'secret body' },
      { ...transport, auth: { user: auth.username, pass: auth.password } },
    );
    assert.match(sent.response, /^250 /);
    const counts = await mail.stack.queue.getJobCounts('waiting');
    assert.ok(counts.waiting >= 1, 'the event is in the queue');
    await assert.rejects(
      sendMail(
        mail.smtp.port,
        { to: `backups@${mailDomain}`, subject: 'x', text: 'y' },
        { ...transport, auth: { user: auth.username, pass: 'wrong' } },
      ),
      (error: { responseCode?: number }) => error.responseCode === 535,
    );
  });
});

describe('Redis down: 451, never 250', () => {
  let redis: ChildProcess;
  let mail: MailStack;
  before(async () => {
    const port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const redisUrl = `redis://127.0.0.1:${port}`;
    await eventually('redis up', async () => {
      const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return await probe.ping();
      } finally {
        probe.disconnect();
      }
    });
    mail = await startMailStack({
      store: 'sqlite',
      worker: false,
      redisUrl,
      configFile: mailConfig([{ id: 'backups', email: { prefix: 'backups' } }]),
    });
  });
  after(async () => {
    redis.kill('SIGKILL');
    await mail.close();
  });

  test('a mail while Redis is gone is a temporary failure the sender retries', async () => {
    const before = await sendMail(mail.smtp.port, { to: `backups@${mailDomain}`, subject: 'up', text: 'ok' });
    assert.match(before.response, /^250 /);
    redis.kill('SIGKILL');
    await new Promise((resolve) => redis.once('exit', resolve));
    await assert.rejects(
      sendMail(mail.smtp.port, { to: `backups@${mailDomain}`, subject: 'down', text: 'not yet' }),
      (error: { responseCode?: number; response?: string }) =>
        error.responseCode === 451 && /^451 4\.3\.0 /.test(error.response ?? ''),
    );
    const metrics = await (await fetch(`${mail.stack.baseUrl}/metrics`)).text();
    assert.match(metrics, /alertgate_smtp_mails_refused_total\{reason="queue_unavailable"\} [1-9]/);
  });
});
