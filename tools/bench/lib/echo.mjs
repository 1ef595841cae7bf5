// Streams a large body through POST /echo and checks it comes back byte for byte.
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';

const CHUNK = 1 << 20;

/**
 * @typedef {object} EchoResult
 * @property {number | undefined} status
 * @property {number} bytes received
 * @property {number} seconds
 * @property {number} mbPerSecond
 * @property {boolean} intact every byte came back, SHA-256 equal
 */

/**
 * Sends `bytes` (a random 1 MiB block repeated) and resolves with MB/s and whether the SHA-256 matched.
 * @param {string} url
 * @param {number} bytes
 * @returns {Promise<EchoResult>}
 */
export function echo(url, bytes) {
  const block = randomBytes(CHUNK);
  const sent = createHash('sha256');
  const received = createHash('sha256');
  let receivedBytes = 0;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes },
      },
      (res) => {
        res.on('data', (chunk) => {
          receivedBytes += chunk.length;
          received.update(chunk);
        });
        res.on('end', () => {
          const seconds = (performance.now() - started) / 1000;
          resolve({
            status: res.statusCode,
            bytes: receivedBytes,
            seconds,
            mbPerSecond: bytes / 1e6 / seconds,
            intact: receivedBytes === bytes && received.digest('hex') === sent.digest('hex'),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    let written = 0;
    const pump = () => {
      while (written < bytes) {
        const size = Math.min(CHUNK, bytes - written);
        const chunk = size === CHUNK ? block : block.subarray(0, size);
        sent.update(chunk);
        written += size;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}
