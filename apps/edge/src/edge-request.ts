import { IncomingMessage, type IncomingHttpHeaders } from 'node:http';

/** Node's own, undocumented: adds one field to a headers object as the `headers` getter does (duplicates joined or dropped). */
type AddHeaderLine = (field: string, value: string, dest: IncomingHttpHeaders) => void;

/**
 * The edge's HTTP/1 request (createServer's `IncomingMessage` option): Node's, with `headers` built into an object
 * without a prototype. V8 gives every such object one and the same map, in dictionary mode, so each site that reads
 * a field of `headers` (Node's `parserOnIncoming`, the edge's stages) sees one map whatever fields and order a client
 * sends. On Node's plain objects each set and order of fields is a map of its own: code optimised on one client's
 * requests was deoptimised the moment another client's arrived (ADR-0048).
 */
export class EdgeRequest extends IncomingMessage {
  #headers: IncomingHttpHeaders | undefined = undefined;

  // @ts-expect-error Node's types declare `headers` a data property; it is an accessor on IncomingMessage.prototype.
  override get headers(): IncomingHttpHeaders {
    let headers = this.#headers;
    if (headers === undefined) {
      headers = Object.create(null) as IncomingHttpHeaders;
      const raw = this.rawHeaders;
      const add = (this as unknown as { _addHeaderLine: AddHeaderLine })._addHeaderLine;
      for (let i = 0; i < raw.length; i += 2) add.call(this, raw[i] as string, raw[i + 1] as string, headers);
      this.#headers = headers;
    }
    return headers;
  }

  override set headers(headers: IncomingHttpHeaders) {
    this.#headers = headers;
  }
}
