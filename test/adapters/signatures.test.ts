import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createHmac, createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { isTrustedSnsUrl, verifyHmacSignature, verifySnsMessage } from '../../src/adapters/signatures.js';

describe('verifyHmacSignature', () => {
  const secret = 'b2f1c0de5ec7e7';
  const rawBody = Buffer.from('{"action":"triggered","data":{"event":{"issue_id":"4012345678"}}}');
  const hex = createHmac('sha256', secret).update(rawBody).digest('hex');
  const base64 = createHmac('sha256', secret).update(rawBody).digest('base64');

  const otherHex = createHmac('sha256', 'other').update(rawBody).digest('hex');

  type Case = { name: string; header: string | undefined; encoding: 'hex' | 'base64'; prefix?: string; ok: boolean };
  const cases: Case[] = [
    { name: 'hex digest (Sentry)', header: hex, encoding: 'hex', ok: true },
    { name: 'upper-case hex', header: hex.toUpperCase(), encoding: 'hex', ok: true },
    { name: 'base64 digest', header: base64, encoding: 'base64', ok: true },
    { name: 'prefixed digest', header: `sha256=${hex}`, encoding: 'hex', prefix: 'sha256=', ok: true },
    { name: 'prefix expected but absent', header: hex, encoding: 'hex', prefix: 'sha256=', ok: false },
    { name: 'missing header', header: undefined, encoding: 'hex', ok: false },
    { name: 'empty header', header: '', encoding: 'hex', ok: false },
    { name: 'not hex', header: 'zz' + hex.slice(2), encoding: 'hex', ok: false },
    { name: 'truncated digest', header: hex.slice(0, 40), encoding: 'hex', ok: false },
    { name: 'digest made with another secret', header: otherHex, encoding: 'hex', ok: false },
    { name: 'hex given where base64 expected', header: hex, encoding: 'base64', ok: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { header, encoding, prefix } = c;
      const result = verifyHmacSignature({ rawBody, header, secret, encoding, prefix });
      assert.equal(result.ok, c.ok, JSON.stringify(result));
      if (!result.ok) assert.ok(result.reason.length > 0);
    });
  }

  it('rejects a tampered body', () => {
    const tampered = Buffer.from(rawBody.toString().replace('4012345678', '4012345679'));
    const result = verifyHmacSignature({ rawBody: tampered, header: hex, secret, encoding: 'hex' });
    assert.deepEqual(result, { ok: false, reason: 'the signature does not match the body' });
  });

  it('rejects when no secret is configured', () => {
    const result = verifyHmacSignature({ rawBody, header: hex, secret: '', encoding: 'hex' });
    assert.equal(result.ok, false);
  });
});

describe('isTrustedSnsUrl', () => {
  const table: [string, boolean][] = [
    [
      'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-1:1:t&Token=a',
      true,
    ],
    ['https://sns.cn-north-1.amazonaws.com.cn/?Action=ConfirmSubscription&Token=abc', true],
    ['http://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=abc', false],
    ['https://sns.eu-west-1.amazonaws.com.evil.example/?Action=ConfirmSubscription', false],
    ['https://evil.example/sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription', false],
    ['https://sns.eu-west-1.amazonaws.com:8443/?Action=ConfirmSubscription', false],
    ['https://user@sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription', false],
    ['https://sns.eu-west-1.amazonaws.com/other?Action=ConfirmSubscription', false],
    ['https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x', false],
    ['https://s3.eu-west-1.amazonaws.com/?Action=ConfirmSubscription', false],
    ['not a url', false],
  ];
  for (const [url, expected] of table) {
    it(`${expected ? 'trusts' : 'refuses'} ${url}`, () => assert.equal(isTrustedSnsUrl(url), expected));
  }
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A throw-away RSA key and self-signed certificate, made with the openssl CLI in a temp dir. */
function makeSigningPair(): { keyPem: string; certPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'alertgate-sns-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath];
    execFileSync('openssl', [...args, '-days', '1', '-subj', '/CN=sns.amazonaws.com'], { stdio: 'ignore' });
    return { keyPem: readFileSync(keyPath, 'utf8'), certPem: readFileSync(certPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const certUrl = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem';
const chinaCertUrl = 'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-1.pem';

function canonical(message: Record<string, string>, fields: string[]): string {
  return fields
    .filter((field) => field in message)
    .map((field) => `${field}\n${message[field]}\n`)
    .join('');
}

function sign(message: Record<string, string>, keyPem: string): Record<string, string> {
  const fields =
    message.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const algorithm = message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
  const signature = createSign(algorithm).update(canonical(message, fields), 'utf8').sign(keyPem, 'base64');
  return { ...message, Signature: signature };
}

const notification = {
  Type: 'Notification',
  MessageId: 'a1b2c3d4-5e6f-7a8b-9c0d-112233445566',
  TopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops-alarms',
  Subject: 'ALARM: "orders-api-5xx" in EU (Ireland)',
  Message: '{"AlarmName":"orders-api-5xx","NewStateValue":"ALARM",\n"Region":"EU (Ireland)"}',
  Timestamp: '2025-03-02T10:45:12.402Z',
  SignatureVersion: '2',
  SigningCertURL: certUrl,
  UnsubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x',
};

const confirmation = {
  Type: 'SubscriptionConfirmation',
  MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
  Token: '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad0242',
  TopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops-alarms',
  Message:
    'You have chosen to subscribe to the topic arn:aws:sns:eu-west-1:123456789012:ops-alarms.\n' +
    'To confirm the subscription, visit the SubscribeURL included in this message.',
  SubscribeURL:
    'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription' +
    '&TopicArn=arn:aws:sns:eu-west-1:123456789012:ops-alarms&Token=2336412f37',
  Timestamp: '2025-03-02T10:40:00.000Z',
  SignatureVersion: '1',
  SigningCertURL: certUrl,
};

describe('verifySnsMessage', { skip: hasOpenssl() ? false : 'the openssl CLI is not available' }, () => {
  const pair = hasOpenssl() ? makeSigningPair() : { keyPem: '', certPem: '' };

  function fetcher(): { fetch: (url: URL) => Promise<string>; calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      fetch: async (url: URL) => {
        calls.push(url.href);
        return pair.certPem;
      },
    };
  }

  const accepted: [string, Record<string, string>][] = [
    ['a SignatureVersion 2 notification', sign(notification, pair.keyPem)],
    ['a SignatureVersion 1 notification', sign({ ...notification, SignatureVersion: '1' }, pair.keyPem)],
    ['a notification without Subject', sign(omit(notification, 'Subject'), pair.keyPem)],
    ['a SubscriptionConfirmation', sign(confirmation, pair.keyPem)],
    ['an UnsubscribeConfirmation', sign({ ...confirmation, Type: 'UnsubscribeConfirmation' }, pair.keyPem)],
    ['a China-partition certificate URL', sign({ ...notification, SigningCertURL: chinaCertUrl }, pair.keyPem)],
  ];
  for (const [name, message] of accepted) {
    it(`accepts ${name}`, async () => {
      assert.deepEqual(await verifySnsMessage(message, fetcher().fetch), { ok: true });
    });
  }

  const signed = sign(notification, pair.keyPem);
  const withCert = (url: string): Record<string, string> => ({ ...signed, SigningCertURL: url });
  const refused: [string, Record<string, unknown>, string][] = [
    ['a tampered Message', { ...signed, Message: signed.Message.replace('ALARM', 'OK') }, 'does not match'],
    ['a tampered Subject', { ...signed, Subject: 'OK: "orders-api-5xx"' }, 'does not match'],
    ['a removed Subject', omit(signed, 'Subject'), 'does not match'],
    ['a version 2 signature announced as version 1', { ...signed, SignatureVersion: '1' }, 'does not match'],
    [
      'a certificate on another host',
      withCert('https://certs.evil.example/SimpleNotificationService-1.pem'),
      'SigningCertURL',
    ],
    ['a look-alike host', withCert('https://sns.eu-west-1.amazonaws.com.evil.example/x.pem'), 'SigningCertURL'],
    ['an http certificate URL', withCert(certUrl.replace('https:', 'http:')), 'SigningCertURL'],
    [
      'a certificate URL that is not a .pem',
      withCert('https://sns.eu-west-1.amazonaws.com/?Action=x'),
      'SigningCertURL',
    ],
    ['an unknown Type', sign({ ...notification, Type: 'Bogus' }, pair.keyPem), 'unknown SNS message type "Bogus"'],
    ['an unsupported SignatureVersion', { ...signed, SignatureVersion: '3' }, 'unsupported SNS SignatureVersion "3"'],
    ['a numeric SignatureVersion', { ...signed, SignatureVersion: 2 }, 'unsupported SNS SignatureVersion 2'],
    [
      'a prototype-key SignatureVersion',
      { ...signed, SignatureVersion: 'toString' },
      'unsupported SNS SignatureVersion',
    ],
    ['a missing Signature', omit(signed, 'Signature'), 'Signature'],
    ['a confirmation without Token', omit(sign(confirmation, pair.keyPem), 'Token'), 'has no Token'],
  ];
  for (const [name, message, reason] of refused) {
    it(`refuses ${name}`, async () => {
      const { fetch, calls } = fetcher();
      const result = await verifySnsMessage(message, fetch);
      assert.equal(result.ok, false);
      assert.ok(!result.ok && result.reason.includes(reason), `reason: ${JSON.stringify(result)}`);
      if (reason === 'SigningCertURL') assert.deepEqual(calls, [], 'an untrusted certificate URL must not be fetched');
    });
  }

  it('caches certificates by URL', async () => {
    const { fetch, calls } = fetcher();
    await verifySnsMessage(signed, fetch);
    await verifySnsMessage(sign({ ...notification, MessageId: 'other' }, pair.keyPem), fetch);
    assert.deepEqual(calls, [certUrl]);
  });

  it('reports a failing fetch and retries it next time', async () => {
    let attempts = 0;
    const flaky = async (): Promise<string> => {
      attempts += 1;
      if (attempts === 1) throw new Error('connect ETIMEDOUT');
      return pair.certPem;
    };
    assert.deepEqual(await verifySnsMessage(signed, flaky), {
      ok: false,
      reason: 'cannot load the SNS signing certificate: connect ETIMEDOUT',
    });
    assert.deepEqual(await verifySnsMessage(signed, flaky), { ok: true });
  });

  it('refuses a certificate that is not PEM', async () => {
    const result = await verifySnsMessage(signed, async () => 'not a certificate');
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.reason.startsWith('cannot load the SNS signing certificate'));
  });

  it('refuses a signature made with another key', async () => {
    const other = makeSigningPair();
    const result = await verifySnsMessage(sign(notification, other.keyPem), fetcher().fetch);
    assert.deepEqual(result, { ok: false, reason: 'the SNS signature does not match the message' });
  });
});

function omit<T extends Record<string, unknown>>(value: T, key: string): T {
  const copy: Record<string, unknown> = { ...value };
  delete copy[key];
  return copy as T;
}
