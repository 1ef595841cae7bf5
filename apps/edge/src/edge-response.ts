import { ServerResponse, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders } from 'node:http';
import type { EdgeContext } from './context';
import { encodable, type Encodable } from './encodable';

type HeaderList = OutgoingHttpHeaders | OutgoingHttpHeader[];

/** Node's ServerResponse under the compression stage's encoder (encodable.ts), typed as Node's: generic, with its statics. */
const EncodableServerResponse = encodable(ServerResponse) as unknown as Omit<typeof ServerResponse, 'prototype'> &
  (new <Request extends IncomingMessage>(req: Request) => ServerResponse<Request> & Encodable);

/**
 * The edge's HTTP response (createServer's `ServerResponse` option): what the edge keeps about a response lives in
 * fields declared here (and the compression stage's encoder in encodable.ts), not in properties added to Node's
 * objects per request, which would give each such response a map of its own or send it into V8's slow dictionary
 * mode.
 *
 * The fields the edge puts on every response (X-Request-Id, X-Trace-Id) wait here and go out with the head: set with
 * `setHeader` first, they sent every proxied response down `writeHead`'s slow path (each field of the gateway's flat
 * list removed by name, then appended: ~5 % of the edge's CPU per request). A field of the same name that the
 * response sets itself wins, as it did over `setHeader`.
 */
export class EdgeResponse<Request extends IncomingMessage = IncomingMessage> extends EncodableServerResponse<Request> {
  /** The request's context while the pipeline runs it (the clientError handler looks for it). */
  context: EdgeContext | undefined = undefined;
  /** Name, value, name, value… of the edge's own fields, until the head goes out. */
  #own: string[] | undefined = undefined;
  /** Something was set with setHeader or appendHeader: writeHead merges by name whatever it is given. */
  #set = false;

  /** Puts `name: value` on the response when its head goes out, unless the response sets `name` itself. */
  addOwnField(name: string, value: string): void {
    if (this.#own === undefined) this.#own = [name, value];
    else this.#own.push(name, value);
  }

  override setHeader(name: string, value: number | string | readonly string[]): this {
    this.#set = true;
    return super.setHeader(name, value);
  }

  override appendHeader(name: string, value: string | readonly string[]): this {
    this.#set = true;
    return super.appendHeader(name, value);
  }

  override writeHead(statusCode: number, reason?: string | HeaderList, headers?: HeaderList): this {
    const own = this.#own;
    if (own === undefined) return super.writeHead(statusCode, reason as string, headers);
    this.#own = undefined;
    const list = typeof reason === 'string' ? headers : reason;
    if (!this.#set && isFlatList(list)) {
      const flat = withOwn(own, list);
      try {
        return typeof reason === 'string'
          ? super.writeHead(statusCode, reason, flat)
          : super.writeHead(statusCode, flat);
      } catch (err) {
        // Node refused the head: the response that replaces it (a 502) still carries the edge's fields.
        this.#own = own;
        throw err;
      }
    }
    for (let i = 0; i < own.length; i += 2) {
      const name = own[i] as string;
      if (!this.hasHeader(name)) super.setHeader(name, own[i + 1] as string);
    }
    return super.writeHead(statusCode, reason as string, headers);
  }
}

/** A head's fields as a flat list: name, value, name, value… (not an object, not [name, value] pairs). */
export function isFlatList(headers: unknown): headers is string[] {
  return Array.isArray(headers) && (headers.length === 0 || typeof headers[0] === 'string');
}

/** The edge's fields, then the response's flat list, leaving out an edge field the list names itself. */
function withOwn(own: readonly string[], list: readonly string[]): string[] {
  const flat: string[] = [];
  for (let i = 0; i < own.length; i += 2) {
    const name = own[i] as string;
    if (!names(list, name)) flat.push(name, own[i + 1] as string);
  }
  for (const item of list) flat.push(item);
  return flat;
}

function names(list: readonly string[], name: string): boolean {
  const lower = name.toLowerCase();
  for (let i = 0; i < list.length; i += 2) {
    const candidate = list[i] as string;
    if (candidate.length === lower.length && candidate.toLowerCase() === lower) return true;
  }
  return false;
}

/**
 * A field of the edge's own for the response: held by an EdgeResponse until its head goes out (above), set at once
 * on any other (HTTP/2's compatibility response, a rejected request's).
 */
export function addOwnField(res: ServerResponse, name: string, value: string): void {
  if (res instanceof EdgeResponse) res.addOwnField(name, value);
  else res.setHeader(name, value);
}
