import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Transform } from 'node:stream';
import { constants, createBrotliCompress, createGzip, createZstdCompress, type Gzip } from 'node:zlib';
import { accepted, type Coding } from './accept-encoding';
import type { Stage } from './compose';
import type { CompressionConfig } from './compression-config';
import { isFlatList } from './edge-response';
import { isEncodable, type Encodable } from './encodable';

/** nginx compresses these statuses only: a redirect or an error page is small, a 206 is a part of a representation. */
const STATUSES = new Set([200, 403, 404]);
const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i;
const VARIES = /(?:^|,)\s*(?:accept-encoding|\*)\s*(?:,|$)/i;
const FLUSH: Readonly<Record<Coding, number>> = {
  zstd: constants.ZSTD_e_flush,
  br: constants.BROTLI_OPERATION_FLUSH,
  gzip: constants.Z_SYNC_FLUSH,
};

/** A zlib, brotli or zstd compressor: a Transform that can flush what it holds. */
type Coder = Transform & Pick<Gzip, 'flush'>;
/** The edge's own responses (EdgeResponse, EdgeHttp2Response), as the stages see them. */
type Response = ServerResponse & Encodable;

/**
 * Compresses a response on the fly (nginx's gzip filter, with br and zstd): for a request with Accept-Encoding only —
 * one without it costs one header lookup and its response is left exactly as the application sent it. A response is
 * encodable when its status is 200, 403 or 404, it has no Content-Encoding or Content-Range, no
 * `Cache-Control: no-transform`, a media type of `compression.types` and no known length under `minLength`; such a
 * response gets `Vary: Accept-Encoding` whether or not this client takes a coding. Encoded, it loses Content-Length
 * and Accept-Ranges and a strong ETag becomes weak (a different representation). Each chunk is flushed as it
 * arrives: a stream is never held back. At most `maxStreams` responses are encoded at once (each coder holds
 * 0.2-1 MiB); beyond that they go out as they are. The edge's response classes route their output through the
 * encoder this stage gives them (encodable.ts).
 */
export function compress(config: CompressionConfig): Stage {
  if (config.encodings.length === 0) return (_ctx, next) => next();
  const types = typePattern(config.types);
  const streams = { open: 0 };
  return function compressStage(ctx, next) {
    const header = ctx.req.headers['accept-encoding'];
    const res = ctx.res;
    if (header !== undefined && isEncodable(res))
      res.encoder = new ResponseEncoder(ctx.req, res as Response, header, config, types, streams);
    return next();
  };
}

/** One response's encoding: decided when its head goes out, then a coder between the response and Node's writes. */
export class ResponseEncoder {
  readonly #req: IncomingMessage;
  readonly #res: Response;
  readonly #header: string;
  readonly #config: CompressionConfig;
  readonly #types: RegExp;
  readonly #streams: { open: number };
  #decided = false;
  #coder: Coder | undefined;
  /** The coding named in Content-Encoding, once decided. */
  #coding: Coding | undefined;
  #flush = 0;

  constructor(
    req: IncomingMessage,
    res: Response,
    header: string,
    config: CompressionConfig,
    types: RegExp,
    streams: { open: number },
  ) {
    this.#req = req;
    this.#res = res;
    this.#header = header;
    this.#config = config;
    this.#types = types;
    this.#streams = streams;
  }

  writeHead(status: number, reason?: unknown, headers?: unknown): void {
    const res = this.#res;
    if (typeof reason !== 'string') {
      headers = reason;
      reason = undefined;
    }
    if (!this.#decided) {
      // [name, value] pairs, which Node's writeHead takes too, as the flat list they stand for.
      if (Array.isArray(headers) && Array.isArray(headers[0])) headers = (headers as unknown[][]).flat();
      if (isFlatList(headers)) {
        // Decided on the list itself: turned into setHeader calls, it would send the head down Node's slow path.
        const fields = new ListFields(res, headers);
        this.#decide(status, undefined, fields);
        headers = fields.list;
      } else {
        if (headers !== undefined && headers !== null) setHeaders(res, headers as OutgoingHttpHeaders);
        headers = undefined;
        this.#decide(status, undefined, res);
      }
    }
    try {
      res.rawWriteHead(status, reason as string | undefined, headers);
    } catch (err) {
      // Node refused the head (a field it rejects, a bad status): the response that replaces it decides afresh.
      this.#undecide();
      throw err;
    }
  }

  write(chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    const res = this.#res;
    if (!this.#decided && !res.headersSent) res.writeHead(res.statusCode);
    const coder = this.#coder;
    if (coder === undefined) return res.rawWrite(chunk, encoding, cb);
    const callback = (typeof encoding === 'function' ? encoding : cb) as ((err?: Error | null) => void) | undefined;
    const ok = coder.write(toBuffer(chunk, encoding), callback);
    coder.flush(this.#flush);
    return ok;
  }

  end(chunk?: unknown, encoding?: unknown, cb?: unknown): void {
    const res = this.#res;
    if (typeof chunk === 'function') [cb, chunk] = [chunk, undefined];
    else if (typeof encoding === 'function') [cb, encoding] = [encoding, undefined];
    if (!this.#decided && !res.headersSent) {
      // A body given whole to end() has a known length, which Node would have sent as Content-Length.
      const known = chunk === undefined || chunk === null ? 0 : toBuffer(chunk, encoding).byteLength;
      if (res.getHeader('content-length') === undefined && !res.getHeader('transfer-encoding'))
        res.setHeader('Content-Length', known);
      this.#decide(res.statusCode, known, res);
      res.writeHead(res.statusCode);
    }
    const coder = this.#coder;
    if (coder === undefined) {
      res.rawEnd(chunk, encoding, cb);
      return;
    }
    coder.once('end', () => res.rawEnd(cb));
    if (chunk !== undefined && chunk !== null) coder.end(toBuffer(chunk, encoding));
    else coder.end();
  }

  /** Node and the Http2 compatibility layer tell the producer to go on with 'drain': the coder's, not the socket's. */
  absorbs(event: string | symbol): boolean {
    if (event !== 'drain' || this.#coder === undefined) return false;
    this.#coder.resume();
    return true;
  }

  #undecide(): void {
    this.#decided = false;
    this.#res.encoder = this;
    if (this.#coding !== undefined && this.#res.getHeader('content-encoding') === this.#coding)
      this.#res.removeHeader('Content-Encoding');
    this.#coding = undefined;
    const coder = this.#coder;
    this.#coder = undefined;
    coder?.destroy();
  }

  #decide(status: number, knownLength: number | undefined, fields: Fields): void {
    this.#decided = true;
    this.#decideCoding(status, knownLength, fields);
    // Not encoded: the rest of the response goes straight to Node's methods.
    if (this.#coder === undefined) this.#res.encoder = undefined;
  }

  #decideCoding(status: number, knownLength: number | undefined, fields: Fields): void {
    if (!STATUSES.has(status)) return;
    if (fields.getHeader('content-encoding') !== undefined || fields.getHeader('content-range') !== undefined) return;
    const cacheControl = fields.getHeader('cache-control');
    if (cacheControl !== undefined && NO_TRANSFORM.test(String(cacheControl))) return;
    const type = fields.getHeader('content-type');
    if (type === undefined || !this.#types.test(mediaType(String(type)))) return;
    const length = fields.getHeader('content-length') ?? knownLength;
    if (length !== undefined && Number(length) < this.#config.minLength) return;
    const vary = fields.getHeader('vary');
    if (vary === undefined) fields.setHeader('Vary', 'Accept-Encoding');
    else if (!VARIES.test(String(vary))) fields.setHeader('Vary', `${String(vary)}, Accept-Encoding`);
    const coding = accepted(this.#header, this.#config.encodings)[0];
    if (coding === undefined || this.#streams.open >= this.#config.maxStreams) return;
    fields.removeHeader('Content-Length');
    fields.removeHeader('Accept-Ranges');
    fields.setHeader('Content-Encoding', coding);
    this.#coding = coding;
    const etag = fields.getHeader('etag');
    if (typeof etag === 'string' && !etag.startsWith('W/')) fields.setHeader('ETag', `W/${etag}`);
    if (this.#req.method === 'HEAD') return;
    this.#open(coding, length === undefined ? 0 : Number(length));
  }

  #open(coding: Coding, sizeHint: number): void {
    const res = this.#res;
    const coder = createCoder(coding, this.#config.level[coding], sizeHint);
    this.#coder = coder;
    this.#flush = FLUSH[coding];
    this.#streams.open += 1;
    let open = true;
    const close = () => {
      if (!open) return;
      open = false;
      this.#streams.open -= 1;
    };
    coder.on('data', (chunk: Buffer) => {
      if (!res.rawWrite(chunk)) coder.pause();
    });
    coder.on('drain', () => res.rawEmit('drain'));
    coder.on('end', close);
    coder.on('close', close);
    coder.on('error', (err: Error) => res.destroy(err));
    res.once('close', () => coder.destroy());
  }
}

function createCoder(coding: Coding, level: number, sizeHint: number): Coder {
  switch (coding) {
    case 'zstd':
      return createZstdCompress({
        params: { [constants.ZSTD_c_compressionLevel]: level },
        ...(sizeHint > 0 ? { pledgedSrcSize: sizeHint } : {}),
      });
    case 'br':
      return createBrotliCompress({
        params: {
          [constants.BROTLI_PARAM_QUALITY]: level,
          [constants.BROTLI_PARAM_LGWIN]: 18,
          ...(sizeHint > 0 ? { [constants.BROTLI_PARAM_SIZE_HINT]: sizeHint } : {}),
        },
      });
    case 'gzip':
      return createGzip({ level });
  }
}

/** The fields of a head as the encoder reads and changes them. */
type Fields = Pick<ServerResponse, 'getHeader' | 'removeHeader'> & { setHeader(name: string, value: string): unknown };

/**
 * The fields of a head given to writeHead as a flat list, over those set on the response before: the list's win, as
 * Node merges them. A change copies the list first (it may be the caller's).
 */
class ListFields {
  readonly #res: Response;
  #list: string[];
  #copied = false;

  constructor(res: Response, list: string[]) {
    this.#res = res;
    this.#list = list;
  }

  get list(): string[] {
    return this.#list;
  }

  getHeader(name: string): string | number | string[] | undefined {
    const list = this.#list;
    let value: string | undefined;
    for (let i = 0; i < list.length; i += 2)
      if (sameName(list[i] as string, name)) value = value === undefined ? list[i + 1] : `${value}, ${list[i + 1]}`;
    return value ?? this.#res.getHeader(name);
  }

  setHeader(name: string, value: string): void {
    this.#drop(name);
    if (this.#res.hasHeader(name)) this.#res.removeHeader(name);
    this.#own().push(name, value);
  }

  removeHeader(name: string): void {
    this.#drop(name);
    this.#res.removeHeader(name);
  }

  #drop(name: string): void {
    for (let i = 0; i < this.#list.length; i += 2) {
      if (!sameName(this.#list[i] as string, name)) continue;
      this.#own().splice(i, 2);
      i -= 2;
    }
  }

  #own(): string[] {
    if (!this.#copied) {
      this.#list = [...this.#list];
      this.#copied = true;
    }
    return this.#list;
  }
}

function sameName(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b.toLowerCase();
}

function setHeaders(res: ServerResponse, headers: OutgoingHttpHeaders): void {
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
}

function mediaType(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}

/** `text/*`, `application/*+json`: one expression for the list, compiled once. */
function typePattern(types: readonly string[]): RegExp {
  const alternatives = types.map((type) =>
    type
      .toLowerCase()
      .replace(/[.+^$()|[\]{}?\\]/g, '\\$&')
      .replaceAll('*', '[^/;]*'),
  );
  return new RegExp(`^(?:${alternatives.join('|')})$`);
}
