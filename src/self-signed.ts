import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throw-away RSA key and a self-signed certificate for `commonName`, made by the openssl CLI (Node cannot issue
 * certificates): what fixtures signed again for the real endpoint, and the SMTP listener's STARTTLS tests, use.
 */
export function makeSelfSignedPair(commonName: string): { keyPem: string; certPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'alertgate-cert-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2'].concat([
        '-subj',
        `/CN=${commonName}`,
      ]),
      { stdio: 'ignore' },
    );
    return { keyPem: readFileSync(keyPath, 'utf8'), certPem: readFileSync(certPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
