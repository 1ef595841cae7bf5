// The request floor of the stack's shape: three bare Node processes — front (HTTP/1.1 on PORT), middle, back (answers
// GET /hello with "Hello World!") — carrying requests the way our transport does and nothing else: one long-lived
// bidirectional grpc-js stream per hop over a Unix socket (SOCKET_PREFIX-<role>.sock), the requests that arrive in one turn of the
// event loop batched into one message, matched to their answers by id. No limits, deadlines, flow control, envelope
// beyond the path, environ or telemetry. ROLE is front, middle or back.
//
// A message is a run of records: id (uint32 LE), length (uint16 LE), then that many bytes (the target, or the body).
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const grpc = require('@grpc/grpc-js');
const bareHop = require('./bare-hop.cjs');

const role = process.env.ROLE ?? '';
const port = Number(process.env.PORT ?? 18080);
const service = bareHop.bytesService('exchange', '/bench.Mux/Exchange');
const HELLO = Buffer.from('Hello World!');

/** Records queued in this turn, written to `stream` as one message once the turn's I/O is done. */
class Batcher {
  /** @param {import('node:stream').Writable} stream */
  constructor(stream) {
    this.stream = stream;
    /** @type {Buffer[]} */
    this.parts = [];
    this.bytes = 0;
  }

  /**
   * @param {number} id
   * @param {Buffer} payload
   */
  add(id, payload) {
    const head = Buffer.allocUnsafe(6);
    head.writeUInt32LE(id, 0);
    head.writeUInt16LE(payload.length, 4);
    this.parts.push(head, payload);
    this.bytes += 6 + payload.length;
    if (this.parts.length === 2) setImmediate(() => this.flush());
  }

  flush() {
    this.stream.write(Buffer.concat(this.parts, this.bytes));
    this.parts = [];
    this.bytes = 0;
  }
}

/**
 * @param {Buffer} message
 * @param {(id: number, payload: Buffer) => void} each
 */
function records(message, each) {
  for (let at = 0; at < message.length;) {
    const id = message.readUInt32LE(at);
    const length = message.readUInt16LE(at + 4);
    each(id, message.subarray(at + 6, at + 6 + length));
    at += 6 + length;
  }
}

/** @returns {import('node:stream').Duplex} */
function connectNext() {
  const Client = grpc.makeGenericClientConstructor(service, 'Mux');
  const next = role === 'front' ? 'middle' : 'back';
  const client = new Client(`unix:${bareHop.socketOf(next)}`, grpc.credentials.createInsecure());
  return /** @type {import('node:stream').Duplex} */ (/** @type {() => unknown} */ (client['exchange'])());
}

/**
 * Serves the previous hop's stream: each record handed to `onRecord` with a function that answers it.
 * @param {(id: number, payload: Buffer, answer: (body: Buffer) => void) => void} onRecord
 */
function serve(onRecord) {
  fs.rmSync(bareHop.socketOf(role), { force: true });
  const server = new grpc.Server();
  server.addService(service, {
    exchange(/** @type {import('@grpc/grpc-js').ServerDuplexStream<Buffer, Buffer>} */ call) {
      const replies = new Batcher(call);
      call.on('data', (/** @type {Buffer} */ message) =>
        records(message, (id, payload) => onRecord(id, payload, (body) => replies.add(id, body))),
      );
      call.on('end', () => call.end());
    },
  });
  server.bindAsync(`unix:${bareHop.socketOf(role)}`, grpc.ServerCredentials.createInsecure(), (error) => {
    if (error) throw error;
  });
}

/**
 * The next hop: each request sent in this turn's batch with what it came from, and `onAnswer` called with that and
 * the request's body when it comes back.
 * @template T
 * @param {(from: T, body: Buffer) => void} onAnswer
 * @returns {(payload: Buffer, from: T) => void}
 */
function nextHop(onAnswer) {
  const upstream = connectNext();
  const requests = new Batcher(upstream);
  /** @type {Map<number, T>} */
  const waiting = new Map();
  let nextId = 0;
  upstream.on('data', (/** @type {Buffer} */ message) =>
    records(message, (id, body) => {
      const from = waiting.get(id);
      waiting.delete(id);
      if (from !== undefined) onAnswer(from, body);
    }),
  );
  return (payload, from) => {
    nextId = (nextId + 1) >>> 0;
    waiting.set(nextId, from);
    requests.add(nextId, payload);
  };
}

if (role === 'back') {
  serve((_id, _target, answer) => answer(HELLO));
} else if (role === 'middle') {
  const forward = nextHop((/** @type {(body: Buffer) => void} */ answer, body) => answer(Buffer.from(body)));
  serve((_id, target, answer) => forward(Buffer.from(target), answer));
} else {
  const forward = nextHop((/** @type {import('node:http').ServerResponse} */ res, body) =>
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length }).end(body),
  );
  http
    .createServer((req, res) => {
      forward(Buffer.from(req.url ?? '/'), res);
      req.resume();
    })
    .listen(port, '127.0.0.1');
}
