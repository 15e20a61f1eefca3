import { createHash } from 'node:crypto';

const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function toBase62(bytes: Buffer): string {
  let value = BigInt('0x' + bytes.toString('hex'));
  let out = '';
  while (value > 0n) {
    out = base62[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out.padStart(43, '0');
}

/**
 * The alert key alertgate derives when a sender gives none:
 * `base62(sha256(integration id, rendered title, sorted labels))[0:22]`.
 * Deterministic, so a keyless sender still de-duplicates and can recover by resending the same title and labels.
 */
export function deriveAlertKey(integrationId: string, title: string, labels: Record<string, string>): string {
  const hash = createHash('sha256');
  hash.update(integrationId);
  hash.update('\0');
  hash.update(title);
  for (const key of Object.keys(labels).sort()) {
    hash.update('\0');
    hash.update(key);
    hash.update('=');
    hash.update(labels[key]);
  }
  return toBase62(hash.digest()).slice(0, 22);
}
