import { Duplex } from 'node:stream';
import type { Environ } from './environ';

/** What a socket tells the exchange it serves when it is destroyed. */
export interface SocketOwner {
  socketClosed(error: Error | null): void;
}

/**
 * The socket a Node listener sees under `fromExpress`: the environ's addresses, and a stream that writes nowhere.
 * Destroyed (by the application, or when the client left), it tells the exchange it served; the error it is
 * destroyed with goes there and to the request (Node's `IncomingMessage` passes it on), not out as the socket's
 * 'error', which nothing handles here.
 */
export class EnvironSocket extends Duplex {
  /** The exchange it serves, until the response finished or the socket was destroyed. */
  owner: SocketOwner | undefined = undefined;
  /** Node's own field: the response the socket is assigned to. */
  _httpMessage: unknown = null;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly remoteFamily: string;
  readonly localAddress: string;
  readonly localPort: number;
  readonly encrypted: true | undefined;

  constructor(environ: Environ) {
    super({ allowHalfOpen: true });
    this.remoteAddress = environ.REMOTE_ADDR;
    this.remotePort = Number(environ.REMOTE_PORT);
    this.remoteFamily = environ.REMOTE_ADDR.includes(':') ? 'IPv6' : 'IPv4';
    this.localAddress = environ.SERVER_NAME;
    this.localPort = Number(environ.SERVER_PORT);
    this.encrypted = environ['tsgi.url_scheme'] === 'https' ? true : undefined;
  }

  override _read(): void {}

  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const owner = this.owner;
    this.owner = undefined;
    owner?.socketClosed(error);
    callback(null);
    // Queued after the 'close' that Node's response listens for: once it has reached the response, the socket no
    // longer holds it (a socket lives until a full GC, docs/adr/0031-functions-assigned-to-properties.md).
    process.nextTick(forgetResponse, this);
  }

  setTimeout(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  address(): { address: string; port: number; family: string } {
    return { address: this.localAddress, port: this.localPort, family: this.remoteFamily };
  }
}

function forgetResponse(socket: EnvironSocket): void {
  socket._httpMessage = null;
}
