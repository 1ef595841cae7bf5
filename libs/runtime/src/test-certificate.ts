import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A self-signed certificate for localhost and 127.0.0.1, made by the machine's `openssl` into a fresh directory (or
 * into `dir`, replacing what is there): the repository holds no key.
 *
 * @example
 * const { cert, key } = testCertificate();
 * const stack = await startStack({ edge: { EDGE_TLS_CERT: cert, EDGE_TLS_KEY: key, EDGE_TLS_PORT: '0' } });
 */
export function testCertificate(dir = mkdtempSync(join(tmpdir(), 'mono-tls-'))): {
  dir: string;
  cert: string;
  key: string;
} {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { dir, cert, key };
}
