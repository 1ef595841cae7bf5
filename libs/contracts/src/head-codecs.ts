import type { HeadCodec } from './batch-codec';
import type { Environ } from './generated/mono/framework/v1/framework';
import type { Endpoint, HttpRequest } from './generated/mono/gateway/v1/gateway';
import type { Header } from './generated/mono/transport/v1/transport';
import { measureHeaders, measureMap, readHeader, readMapEntry, writeHeaders, writeMap } from './message-codecs';
import { WireHeaders } from './wire-headers';
import { LEN, tag, VARINT } from './wire-tag';
import type { WireReader } from './wire-reader';
import { boolSize, uint32Size, type WireWriter } from './wire-writer';

/**
 * The hand-written codecs of each boundary's head, the message a request's first frame carries (batch-codec.ts), in
 * two kinds that differ only in how the head's header fields are held: decoded (`Header[]`, the generated types'),
 * or as received (WireHeaders, what the gateway forwards). Both read and write the same bytes.
 */

/** A head whose header fields are held as `F`. */
export type HttpRequestOf<F> = Omit<HttpRequest, 'headers'> & { headers: F };
export type EnvironOf<F> = Omit<Environ, 'headers'> & { headers: F };

/** How a head's repeated Header field is held, read and written. */
interface FieldsCodec<F> {
  empty(r: WireReader): F;
  add(r: WireReader, end: number, fields: F): void;
  measure(w: WireWriter, fieldTag: number, fields: F): number;
  write(w: WireWriter, fieldTag: number, fields: F): void;
  /** The head is read: what the fields still need of the received message is theirs. */
  seal(fields: F): void;
}

const DECODED: FieldsCodec<Header[]> = {
  empty: () => [],
  add: (r, end, fields) => {
    fields.push(readHeader(r, end));
  },
  measure: measureHeaders,
  write: writeHeaders,
  seal: () => {},
};

const FORWARDED: FieldsCodec<WireHeaders> = {
  empty: (r) => new WireHeaders(r.buf),
  add: (r, end, fields) => fields.add(r, end),
  measure: (_, fieldTag, fields) => fields.measure(fieldTag),
  write: (w, fieldTag, fields) => fields.write(w, fieldTag),
  seal: (fields) => fields.seal(),
};

// mono.gateway.v1.HttpRequest
const TAG_HTTP_METHOD = tag(1, LEN);
const TAG_HTTP_TARGET = tag(2, LEN);
const TAG_HTTP_PROTOCOL = tag(3, LEN);
const TAG_HTTP_SCHEME = tag(4, LEN);
const TAG_HTTP_HEADERS = tag(5, LEN);
const TAG_HTTP_CLIENT = tag(6, LEN);
const TAG_HTTP_SERVER = tag(7, LEN);
const TAG_HTTP_REQUEST_ID = tag(8, LEN);
const TAG_HTTP_BODY_LENGTH_UNKNOWN = tag(9, VARINT);

// mono.gateway.v1.Endpoint
const TAG_ENDPOINT_ADDRESS = tag(1, LEN);
const TAG_ENDPOINT_PORT = tag(2, VARINT);

// mono.framework.v1.Environ: string fields 1–12 in field order (ENVIRON_STRINGS), then these
const TAG_ENVIRON_HEADERS = tag(13, LEN);
const TAG_ENVIRON_REQUEST_URI = tag(14, LEN);
const TAG_ENVIRON_VARIABLES = tag(15, LEN);
const TAG_ENVIRON_APPLICATION = tag(16, LEN);
const TAG_ENVIRON_INPUT_TERMINATED = tag(17, VARINT);

/** Environ's string fields numbered 1–12, in field order. */
const ENVIRON_STRINGS = [
  'requestMethod',
  'scriptName',
  'pathInfo',
  'queryString',
  'contentType',
  'contentLength',
  'serverName',
  'serverPort',
  'serverProtocol',
  'remoteAddr',
  'remotePort',
  'urlScheme',
] as const;
const ENVIRON_STRING_TAGS = ENVIRON_STRINGS.map((_, i) => tag(i + 1, LEN));

export const httpRequestCodec: HeadCodec<HttpRequest> = httpRequestCodecOf(DECODED);
export const forwardedHttpRequestCodec: HeadCodec<HttpRequestOf<WireHeaders>> = httpRequestCodecOf(FORWARDED);
export const environCodec: HeadCodec<Environ> = environCodecOf(DECODED);
export const forwardedEnvironCodec: HeadCodec<EnvironOf<WireHeaders>> = environCodecOf(FORWARDED);

function httpRequestCodecOf<F>(fields: FieldsCodec<F>): HeadCodec<HttpRequestOf<F>> {
  return {
    measure(w, q) {
      let size =
        w.measureString(TAG_HTTP_METHOD, q.method) +
        w.measureString(TAG_HTTP_TARGET, q.target) +
        w.measureString(TAG_HTTP_PROTOCOL, q.protocol) +
        w.measureString(TAG_HTTP_SCHEME, q.scheme);
      size += fields.measure(w, TAG_HTTP_HEADERS, q.headers);
      if (q.client !== undefined)
        size += w.fill(TAG_HTTP_CLIENT, w.reserve(), measureEndpoint(w, q.client as Endpoint));
      if (q.server !== undefined)
        size += w.fill(TAG_HTTP_SERVER, w.reserve(), measureEndpoint(w, q.server as Endpoint));
      size += w.measureString(TAG_HTTP_REQUEST_ID, q.requestId);
      return size + boolSize(TAG_HTTP_BODY_LENGTH_UNKNOWN, q.bodyLengthUnknown);
    },
    write(w, q) {
      w.string(TAG_HTTP_METHOD, q.method);
      w.string(TAG_HTTP_TARGET, q.target);
      w.string(TAG_HTTP_PROTOCOL, q.protocol);
      w.string(TAG_HTTP_SCHEME, q.scheme);
      fields.write(w, TAG_HTTP_HEADERS, q.headers);
      if (q.client !== undefined) {
        w.message(TAG_HTTP_CLIENT);
        writeEndpoint(w, q.client);
      }
      if (q.server !== undefined) {
        w.message(TAG_HTTP_SERVER);
        writeEndpoint(w, q.server);
      }
      w.string(TAG_HTTP_REQUEST_ID, q.requestId);
      w.bool(TAG_HTTP_BODY_LENGTH_UNKNOWN, q.bodyLengthUnknown);
    },
    read(r, end) {
      const q: HttpRequestOf<F> = {
        method: '',
        target: '',
        protocol: '',
        scheme: '',
        headers: fields.empty(r),
        client: undefined,
        server: undefined,
        requestId: '',
        bodyLengthUnknown: false,
      };
      while (r.at < end) {
        const t = r.varint();
        switch (t) {
          case TAG_HTTP_METHOD:
            q.method = r.string();
            break;
          case TAG_HTTP_TARGET:
            q.target = r.string();
            break;
          case TAG_HTTP_PROTOCOL:
            q.protocol = r.string();
            break;
          case TAG_HTTP_SCHEME:
            q.scheme = r.string();
            break;
          case TAG_HTTP_HEADERS:
            fields.add(r, r.end(), q.headers);
            break;
          case TAG_HTTP_CLIENT:
            q.client = readEndpoint(r, r.end());
            break;
          case TAG_HTTP_SERVER:
            q.server = readEndpoint(r, r.end());
            break;
          case TAG_HTTP_REQUEST_ID:
            q.requestId = r.string();
            break;
          case TAG_HTTP_BODY_LENGTH_UNKNOWN:
            q.bodyLengthUnknown = r.varint() !== 0;
            break;
          default:
            r.skip(t);
        }
      }
      fields.seal(q.headers);
      return q;
    },
  };
}

function environCodecOf<F>(fields: FieldsCodec<F>): HeadCodec<EnvironOf<F>> {
  return {
    measure(w, e) {
      let size = 0;
      for (let i = 0; i < ENVIRON_STRINGS.length; i += 1)
        size += w.measureString(ENVIRON_STRING_TAGS[i] as number, e[ENVIRON_STRINGS[i] as EnvironString]);
      size += fields.measure(w, TAG_ENVIRON_HEADERS, e.headers);
      size += w.measureString(TAG_ENVIRON_REQUEST_URI, e.requestUri);
      size += measureMap(w, TAG_ENVIRON_VARIABLES, e.variables);
      size += w.measureString(TAG_ENVIRON_APPLICATION, e.application);
      return size + boolSize(TAG_ENVIRON_INPUT_TERMINATED, e.inputTerminated);
    },
    write(w, e) {
      for (let i = 0; i < ENVIRON_STRINGS.length; i += 1)
        w.string(ENVIRON_STRING_TAGS[i] as number, e[ENVIRON_STRINGS[i] as EnvironString]);
      fields.write(w, TAG_ENVIRON_HEADERS, e.headers);
      w.string(TAG_ENVIRON_REQUEST_URI, e.requestUri);
      writeMap(w, TAG_ENVIRON_VARIABLES, e.variables);
      w.string(TAG_ENVIRON_APPLICATION, e.application);
      w.bool(TAG_ENVIRON_INPUT_TERMINATED, e.inputTerminated);
    },
    read(r, end) {
      const e: EnvironOf<F> = {
        requestMethod: '',
        scriptName: '',
        pathInfo: '',
        queryString: '',
        contentType: '',
        contentLength: '',
        serverName: '',
        serverPort: '',
        serverProtocol: '',
        remoteAddr: '',
        remotePort: '',
        urlScheme: '',
        headers: fields.empty(r),
        requestUri: '',
        variables: {},
        application: '',
        inputTerminated: false,
      };
      while (r.at < end) {
        const t = r.varint();
        const field = t >>> 3;
        if ((t & 7) === LEN && field >= 1 && field <= ENVIRON_STRINGS.length)
          e[ENVIRON_STRINGS[field - 1] as EnvironString] = r.string();
        else if (t === TAG_ENVIRON_HEADERS) fields.add(r, r.end(), e.headers);
        else if (t === TAG_ENVIRON_REQUEST_URI) e.requestUri = r.string();
        else if (t === TAG_ENVIRON_VARIABLES) readMapEntry(r, r.end(), e.variables);
        else if (t === TAG_ENVIRON_APPLICATION) e.application = r.string();
        else if (t === TAG_ENVIRON_INPUT_TERMINATED) e.inputTerminated = r.varint() !== 0;
        else r.skip(t);
      }
      fields.seal(e.headers);
      return e;
    },
  };
}

type EnvironString = (typeof ENVIRON_STRINGS)[number];

function measureEndpoint(w: WireWriter, e: Endpoint): number {
  return w.measureString(TAG_ENDPOINT_ADDRESS, e.address) + uint32Size(TAG_ENDPOINT_PORT, e.port);
}

function writeEndpoint(w: WireWriter, e: Endpoint): void {
  w.string(TAG_ENDPOINT_ADDRESS, e.address);
  w.uint32(TAG_ENDPOINT_PORT, e.port);
}

function readEndpoint(r: WireReader, end: number): Endpoint {
  const e: Endpoint = { address: '', port: 0 };
  while (r.at < end) {
    const t = r.varint();
    if (t === TAG_ENDPOINT_ADDRESS) e.address = r.string();
    else if (t === TAG_ENDPOINT_PORT) e.port = r.varint();
    else r.skip(t);
  }
  return e;
}
