// Idle keep-alive connections: each makes one request, reads the whole answer, and then stays open doing nothing, as
// a browser's or a load balancer's pooled connections do. What the front server holds per such connection is its
// cost of many clients.
import { connect } from 'node:net';

/**
 * Opens `count` keep-alive connections to `host:port`, `batch` at a time (the listen queue stays short), each with
 * one `GET path` answered in full. Resolves with how many are still open now, and a function that closes them all.
 * @param {{ host: string, port: number, path: string, count: number, batch?: number }} options
 * @returns {Promise<{ open: () => number, close: () => void }>}
 */
export async function openIdle({ host, port, path, count, batch = 100 }) {
  /** @type {import('node:net').Socket[]} */
  const sockets = [];
  const request = `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`;
  for (let started = 0; started < count; started += batch) {
    const n = Math.min(batch, count - started);
    sockets.push(...(await Promise.all(Array.from({ length: n }, () => once(host, port, request)))));
  }
  return {
    open: () => sockets.filter((s) => !s.destroyed && !s.readableEnded).length,
    close: () => {
      for (const s of sockets) s.destroy();
    },
  };
}

/**
 * One connection with one request answered; stays open.
 * @param {string} host
 * @param {number} port
 * @param {string} request
 * @returns {Promise<import('node:net').Socket>}
 */
function once(host, port, request) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let head = '';
    let bodyLeft = -1;
    const fail = (/** @type {Error} */ err) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(10_000, () => fail(new Error('idle connection: no answer within 10 s')));
    socket.on('error', fail);
    socket.on('data', (chunk) => {
      if (bodyLeft < 0) {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        if (!/^HTTP\/1\.1 2\d\d /.test(head)) return fail(new Error(`idle connection: ${head.split('\r\n')[0]}`));
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head.slice(0, end));
        if (!length) return fail(new Error('idle connection: an answer without Content-Length'));
        bodyLeft = Number(length[1]) - (Buffer.byteLength(head, 'latin1') - end - 4);
      } else {
        bodyLeft -= chunk.length;
      }
      if (bodyLeft <= 0) {
        socket.setTimeout(0);
        socket.removeAllListeners('data');
        resolve(socket);
      }
    });
    socket.write(request);
  });
}
