import { execFileSync } from 'node:child_process';
import { createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away RSA key and self-signed certificate (openssl CLI), standing in for Amazon SNS's when fixtures are signed again to go through the real endpoint. */
export function makeSnsSigningPair(): { keyPem: string; certPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'alertgate-sns-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '1',
        '-subj',
        '/CN=sns.amazonaws.com',
      ],
      { stdio: 'ignore' },
    );
    return { keyPem: readFileSync(keyPath, 'utf8'), certPem: readFileSync(certPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const signedFields: Record<string, string[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

/** True when `body` is an SNS message this helper can sign. */
export function isSnsMessage(body: unknown): body is Record<string, string> {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { Type?: unknown }).Type === 'string' &&
    (body as { Type: string }).Type in signedFields
  );
}

/** The message with a valid `Signature` made with `keyPem`, as SNS signs (SignatureVersion 1 or 2). */
export function signSnsMessage(message: Record<string, string>, keyPem: string): Record<string, string> {
  const text = signedFields[message.Type]
    .filter((field) => field in message)
    .map((field) => `${field}\n${message[field]}\n`)
    .join('');
  const algorithm = message.SignatureVersion === '2' ? 'RSA-SHA256' : 'RSA-SHA1';
  return { ...message, Signature: createSign(algorithm).update(text, 'utf8').sign(keyPem, 'base64') };
}
