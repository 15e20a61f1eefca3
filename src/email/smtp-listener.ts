import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { AppError } from '../errors.js';
import { newRequestId } from '../events/ids.js';
import type { IngestDeps } from '../ingest/accept.js';
import type { Logger } from '../observability/logger.js';
import { acceptMail, type ReceivedMail } from './accept-mail.js';
import type { Mailboxes } from './mailboxes.js';
import { parseMail } from './parse-mail.js';
import type { SmtpSettings } from './settings.js';

/*
 * The SMTP edge of email integrations. Unknown recipients are refused at RCPT (550 5.1.1), mail over the size limit
 * at MAIL FROM (SIZE=) or after DATA (552); a mail is answered 250 only once its events are in the ingest queue, and
 * 451 when the queue (or the integration's budget) cannot take it now, so the sending server keeps and retries it.
 */

/** SMTP connections open at once at most. */
export const maxSmtpConnections = 100;

/** A running SMTP listener. */
export interface SmtpListener {
  port: number;
  close(): Promise<void>;
}

/** What the listener needs: the ingest service, the mailboxes (kept current by reloads), its settings. */
export interface SmtpListenerDeps {
  ingest: IngestDeps;
  mailboxes: Mailboxes;
  settings: SmtpSettings;
  /** The listener's own logger (the `smtp` role's); mail it accepts is logged by the ingest service too. */
  logger: Logger;
}

/** An SMTP reply: smtp-server sends `responseCode` and the message. */
function reply(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/** PEM text as given, or read from the file it names. */
function pem(value: string): string {
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
}

/** Reads a DATA stream to its end, keeping at most `limit` bytes (the rest is only drained). */
async function readBounded(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    if (size + buffer.length <= limit) chunks.push(buffer);
    size += buffer.length;
  }
  return Buffer.concat(chunks);
}

/** How a failure to accept a mail is answered: a temporary failure the sender retries, never a 250. */
function temporaryFailure(error: unknown): { reason: string; reply: Error } {
  if (error instanceof AppError && error.code === 'RequestTooFrequently')
    return { reason: 'rate_limited', reply: reply(451, `4.7.1 ${error.message}; try again later`) };
  if (error instanceof AppError)
    return { reason: 'queue_unavailable', reply: reply(451, `4.3.0 not queued (${error.message}); try again later`) };
  const message = error instanceof Error ? error.message : String(error);
  return { reason: 'error', reply: reply(451, `4.3.0 the mail could not be taken (${message}); try again later`) };
}

function refuseRecipient(deps: SmtpListenerDeps, address: SMTPServerAddress): Error | undefined {
  const integration = deps.mailboxes.find(address.address);
  if (!integration) {
    deps.ingest.metrics.smtpMailsRefused.inc({ reason: 'unknown_recipient' });
    return reply(550, `5.1.1 <${address.address}>: no such mailbox here`);
  }
  if (!integration.enabled) {
    deps.ingest.metrics.smtpMailsRefused.inc({ reason: 'disabled' });
    return reply(550, `5.2.1 <${address.address}>: integration ${integration.id} is disabled`);
  }
  return undefined;
}

/** Queues one complete mail for each of its recipients' integrations; resolves with the 250 text. */
async function deliver(deps: SmtpListenerDeps, raw: Buffer, session: SMTPServerSession): Promise<string> {
  const { metrics, clock } = deps.ingest;
  const { logger } = deps;
  const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const facts = await parseMail(raw, envelopeFrom);
  const mail: ReceivedMail = { raw, facts, requestId: newRequestId(), receivedAt: clock() };
  const integrations = [
    ...new Set(session.envelope.rcptTo.map((to) => deps.mailboxes.find(to.address)).filter((found) => !!found)),
  ];
  // Every mailbox of the envelope went away in a reload between RCPT and the end of DATA.
  if (integrations.length === 0) throw reply(550, '5.1.1 no such mailbox here any more');
  for (const integration of integrations) {
    const accepted = await acceptMail(deps.ingest, integration, mail);
    metrics.smtpMailsAccepted.inc({ integration: integration.id, outcome: accepted.outcome });
    logger.debug({ request_id: mail.requestId, integration: integration.id, ...accepted }, 'mail accepted');
  }
  return `OK queued as ${mail.requestId}`;
}

/** Starts the SMTP listener on `settings.host:settings.port` (0: any free port). */
export async function startSmtpListener(deps: SmtpListenerDeps): Promise<SmtpListener> {
  const { settings, logger } = deps;
  const { metrics } = deps.ingest;
  const server = new SMTPServer({
    name: settings.domain,
    banner: 'alertgate',
    size: settings.maxSizeBytes,
    logger: false,
    closeTimeout: 10_000,
    // Each connection may hold a mail of max_size in memory: the cap bounds that (one more is answered 421).
    maxClients: maxSmtpConnections,
    // A reverse DNS lookup per connection only decorates the greeting, and waits on DNS.
    disableReverseLookup: true,
    // STARTTLS only with the operator's certificate: smtp-server would otherwise offer a self-signed one.
    ...(settings.tls ? { key: pem(settings.tls.key), cert: pem(settings.tls.cert) } : {}),
    disabledCommands: [...(settings.tls ? [] : ['STARTTLS']), ...(settings.auth ? [] : ['AUTH'])],
    authOptional: !settings.auth,
    // Without TLS, AUTH over plain text is what the operator configured (e.g. on a private network).
    allowInsecureAuth: !settings.tls,
    onAuth(auth, _session, callback) {
      const wanted = settings.auth;
      if (wanted && auth.username === wanted.username && auth.password === wanted.password)
        return callback(null, { user: auth.username });
      metrics.smtpMailsRefused.inc({ reason: 'auth_failed' });
      return callback(reply(535, '5.7.8 authentication failed'));
    },
    onRcptTo(address, _session, callback) {
      callback(refuseRecipient(deps, address) ?? null);
    },
    onData(stream, session, callback) {
      readBounded(stream, settings.maxSizeBytes).then(
        (raw) => {
          if ((stream as Readable & { sizeExceeded?: boolean }).sizeExceeded) {
            metrics.smtpMailsRefused.inc({ reason: 'too_large' });
            return callback(reply(552, `5.3.4 message exceeds the size limit of ${settings.maxSizeBytes} bytes`));
          }
          metrics.smtpMailsReceived.inc();
          deliver(deps, raw, session).then(
            (message) => callback(null, message),
            (error: unknown) => {
              if ((error as { responseCode?: number }).responseCode === 550) {
                metrics.smtpMailsRefused.inc({ reason: 'unknown_recipient' });
                return callback(error as Error);
              }
              const failure = temporaryFailure(error);
              metrics.smtpMailsRefused.inc({ reason: failure.reason });
              logger.warn({ err: failure.reply.message }, 'mail not accepted; the sender will retry');
              callback(failure.reply);
            },
          );
        },
        (error: Error) => callback(reply(451, `4.3.0 ${error.message}`)),
      );
    },
  });
  server.on('error', (error) => logger.warn({ err: error.message }, 'smtp listener error'));
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const where = `${settings.host}:${settings.port}`;
      if (error.code === 'EADDRINUSE')
        reject(
          new Error(
            `smtp port ${settings.port} is already in use (${where}); stop the other process or change smtp.listen`,
          ),
        );
      else reject(error);
    };
    server.server.once('error', onError);
    server.listen(settings.port, settings.host, () => {
      server.server.removeListener('error', onError);
      resolve();
    });
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
