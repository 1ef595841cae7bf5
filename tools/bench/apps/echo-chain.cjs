// The /echo floor of the stack's shape: three bare Node processes — front (HTTP/1.1 on PORT), middle, back (echoes) —
// with nothing but the transport between them. ROLE is front, middle or back; MODE is how the hops talk, over Unix
// sockets (SOCKET_PREFIX-<role>.sock):
//   grpc    one bidirectional grpc-js call per request, each body chunk a message, grpc-js's defaults
//   http2   one stream of Node's http2 per request on one session per hop, the body as DATA frames
//   socket  one Unix-socket connection per request, the body's bytes as they are
// Backpressure is honoured on every hop (pipe, or pause until 'drain'). GET /hello sends "Hello World!" through the
// chain and answers what comes back, so the bench knows the whole chain is up.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const http2 = require('node:http2');
const net = require('node:net');
const grpc = require('@grpc/grpc-js');
const bareHop = require('./bare-hop.cjs');

const role = process.env.ROLE ?? '';
const mode = process.env.MODE ?? 'grpc';
const port = Number(process.env.PORT ?? 18080);
/** @type {Record<string, string>} */
const NEXT = { front: 'middle', middle: 'back' };
const service = bareHop.bytesService('echo', '/bench.Chain/Echo');

/** Object streams (grpc-js calls) moved message by message, with backpressure; byte streams piped. A failed hop
 * fails the request (the front's client sees its connection reset), never the process. */
/**
 * @param {import('node:stream').Readable} from
 * @param {import('node:stream').Writable} to
 */
function relay(from, to) {
  from.on('error', () => to.destroy());
  if (mode !== 'grpc') return void from.pipe(to);
  from.on('data', (/** @type {Buffer} */ message) => {
    if (!to.write(message)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
  from.on('end', () => to.end());
}

/** @type {import('@grpc/grpc-js').Client & { echo: () => import('node:stream').Duplex } | undefined} */
let grpcClient;
/** @type {import('node:http2').ClientHttp2Session | undefined} */
let session;
/**
 * A duplex to the next process for one request: what is written goes there; `onResponse` gets what it answers.
 * @param {(answer: import('node:stream').Readable) => void} onResponse
 * @returns {import('node:stream').Writable}
 */
function upstream(onResponse) {
  const target = bareHop.socketOf(NEXT[role] ?? '');
  if (mode === 'socket') {
    const socket = net.connect({ path: target, allowHalfOpen: true });
    onResponse(socket);
    return socket;
  }
  if (mode === 'http2') {
    session ??= http2.connect('http://chain', { createConnection: () => net.connect(target) });
    const stream = session.request({ ':method': 'POST', ':path': '/echo' });
    stream.once('response', () => onResponse(stream));
    return stream;
  }
  const Client = grpc.makeGenericClientConstructor(service, 'Chain');
  grpcClient ??= /** @type {NonNullable<typeof grpcClient>} */ (
    new Client(`unix:${target}`, grpc.credentials.createInsecure())
  );
  const call = grpcClient.echo();
  onResponse(call);
  return call;
}

if (role !== 'front') fs.rmSync(bareHop.socketOf(role), { force: true });
if (role === 'front') {
  http
    .createServer((req, res) => {
      res.writeHead(200, { 'content-type': req.method === 'GET' ? 'text/plain' : 'application/octet-stream' });
      const up = upstream((answer) => relay(answer, res));
      if (req.method !== 'GET') return relay(req, up);
      up.write(Buffer.from('Hello World!'));
      up.end();
    })
    .listen(port, '127.0.0.1');
} else if (mode === 'grpc') {
  const server = new grpc.Server();
  server.addService(service, {
    echo(/** @type {import('@grpc/grpc-js').ServerDuplexStream<Buffer, Buffer>} */ call) {
      if (role === 'back') return relay(call, call);
      relay(
        call,
        upstream((answer) => relay(answer, call)),
      );
    },
  });
  server.bindAsync(`unix:${bareHop.socketOf(role)}`, grpc.ServerCredentials.createInsecure(), (error) => {
    if (error) throw error;
  });
} else if (mode === 'http2') {
  http2
    .createServer((req, res) => {
      res.writeHead(200);
      if (role === 'back') return relay(req, res);
      relay(
        req,
        upstream((answer) => relay(answer, res)),
      );
    })
    .listen(bareHop.socketOf(role));
} else {
  net
    .createServer({ allowHalfOpen: true }, (socket) => {
      if (role === 'back') return relay(socket, socket);
      relay(
        socket,
        upstream((answer) => relay(answer, socket)),
      );
    })
    .listen(bareHop.socketOf(role));
}
