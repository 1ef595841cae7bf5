import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { address } from '@mono/config';
import * as v from 'valibot';

/**
 * The `tls` section: an HTTPS listener beside the plain one (nginx's `listen 443 ssl` with `ssl_certificate` and
 * `ssl_certificate_key`), HTTP/2 offered by ALPN beside HTTP/1.1 unless `http2: false`. The files are PEM (the
 * certificate with its chain); they are read at start-up, so a restart (SIGHUP) loads renewed ones.
 */
export const tlsSection = v.optional(
  v.pipe(
    v.strictObject({
      listen: v.optional(address(), '127.0.0.1:8443'),
      cert: v.pipe(v.string(), v.minLength(1)),
      key: v.pipe(v.string(), v.minLength(1)),
      http2: v.optional(
        v.union([
          v.literal(false),
          v.strictObject({
            /** Streams one connection may have open (nginx's http2_max_concurrent_streams). */
            maxConcurrentStreams: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_000)), 128),
          }),
        ]),
        {},
      ),
    }),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const problem = pairProblem(dataset.value.cert, dataset.value.key);
      if (problem !== undefined) addIssue({ message: problem });
    }),
  ),
);

/** Why a certificate and key cannot serve, or undefined when they can. */
function pairProblem(cert: string, key: string): string | undefined {
  let pem: { cert: Buffer; key: Buffer };
  try {
    pem = { cert: readFileSync(cert), key: readFileSync(key) };
  } catch (err) {
    return `cannot read the certificate or key: ${(err as NodeJS.ErrnoException).message}`;
  }
  try {
    createSecureContext(pem);
    return undefined;
  } catch (err) {
    return `the certificate and key do not make a TLS context: ${(err as Error).message}`;
  }
}
