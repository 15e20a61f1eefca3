import { createSign } from 'node:crypto';
import { makeSelfSignedPair } from '../self-signed.js';

/** A throw-away RSA key and self-signed certificate standing in for Amazon SNS's when fixtures are signed again. */
export function makeSnsSigningPair(): { keyPem: string; certPem: string } {
  return makeSelfSignedPair('sns.amazonaws.com');
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
