import { connect } from 'node:net';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { ConfigFile } from '../../src/config/types.js';
import { Mailboxes } from '../../src/email/mailboxes.js';
import { startSmtpListener, type SmtpListener } from '../../src/email/smtp-listener.js';
import type { StoreKind } from '../support/stores.js';
import { startStack, type Stack } from '../support/stack.js';

/** Mail domain of the test configurations. */
export const mailDomain = 'alerts.example.com';

const unlimited = { per_second: 100000, per_minute: 1000000 };

/** A configuration with one channel and the given email integrations (smtp on any free port). */
export function mailConfig(
  integrations: Array<{ id: string; email: NonNullable<ConfigFile['integrations']>[number]['email'] }>,
  smtp: Partial<NonNullable<ConfigFile['smtp']>> = {},
): ConfigFile {
  return {
    channels: [{ id: 'ops' }],
    integrations: integrations.map((integration) => ({
      id: integration.id,
      adapter: 'email',
      channel: 'ops',
      email: integration.email,
      rate_limit: unlimited,
    })),
    smtp: { listen: 0, host: '127.0.0.1', domain: mailDomain, ...smtp },
  };
}

/** The real stack (gateway, Redis, store, worker) with the SMTP listener on a free port. */
export interface MailStack {
  stack: Stack;
  smtp: SmtpListener;
  close(): Promise<void>;
}

export async function startMailStack(options: {
  store: StoreKind;
  configFile: ConfigFile;
  worker?: boolean;
  redisUrl?: string;
}): Promise<MailStack> {
  const stack = await startStack(options);
  const settings = stack.config.smtp;
  if (!settings) throw new Error('the configuration has no smtp section');
  const smtp = await startSmtpListener({
    ingest: stack.gateway.ingest,
    mailboxes: new Mailboxes(stack.config),
    settings,
    logger: stack.gateway.ingest.logger,
  });
  return {
    stack,
    smtp,
    async close() {
      await smtp.close();
      await stack.close();
    },
  };
}

/** Sends one mail over SMTP (no TLS unless asked) and returns nodemailer's answer; rejects with the SMTP error. */
export async function sendMail(
  port: number,
  message: Mail.Options,
  transport: Record<string, unknown> = {},
): Promise<{ response: string; accepted: unknown[] }> {
  const transporter = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    ...transport,
  });
  try {
    const info = (await transporter.sendMail({ from: 'backup@nas.example.org', ...message })) as {
      response: string;
      accepted: unknown[];
    };
    return info;
  } finally {
    transporter.close();
  }
}

/** Speaks SMTP line by line over a raw socket; returns the server's reply to each line (the greeting first). */
export function smtpDialogue(port: number, lines: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const replies: string[] = [];
    let buffer = '';
    let next = 0;
    socket.setEncoding('utf8');
    socket.on('error', reject);
    // A server that hangs up early (421) ends the dialogue with the replies so far.
    socket.on('close', () => resolve(replies));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      // A reply is complete on a line "NNN text" (not "NNN-text", a continuation).
      for (;;) {
        const match = /^(?:\d{3}-[^\r\n]*\r\n)*\d{3} [^\r\n]*\r\n/.exec(buffer);
        if (!match) break;
        replies.push(match[0].trimEnd());
        buffer = buffer.slice(match[0].length);
        if (next < lines.length) socket.write(`${lines[next++]}\r\n`);
        else {
          socket.end();
          resolve(replies);
        }
      }
    });
  });
}
