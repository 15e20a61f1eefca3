/**
 * Fields that carry a sender's credentials inside a body: PagerDuty's routing and service keys (the integration key
 * itself), Meraki's shared secret, and the usual names of tokens and passwords. Stored payloads (recent, rejected)
 * keep them as `<redacted>`, so the API never hands a key back; no mapping reads them.
 */
const credentialFields = [
  'routing_key',
  'service_key',
  'integration_key',
  'sharedSecret',
  'shared_secret',
  'api_key',
  'apiKey',
  'token',
  'secret',
  'password',
];

const names = credentialFields.join('|');
const jsonField = new RegExp(`("(?:${names})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'g');
const formField = new RegExp(`(^|&)((?:${names})=)[^&]*`, 'g');

export const redacted = '<redacted>';

/**
 * A body as it may be stored: credential fields replaced (in JSON text, valid or not, and in form bodies) and NUL
 * characters, which a PostgreSQL text column cannot hold, replaced by U+FFFD.
 */
export function storableBody(body: string): string {
  const text = body.includes('\0') ? body.replace(/\0/g, '\uFFFD') : body;
  return text.replace(jsonField, `$1"${redacted}"`).replace(formField, `$1$2${redacted}`);
}
