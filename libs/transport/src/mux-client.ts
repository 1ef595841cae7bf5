import { Client, connectivityState, credentials } from '@grpc/grpc-js';
import type { Boundary, Call } from '@mono/contracts';
import { channelOptions } from './channel-options';
import type { ClientCall, ResponseSink } from './client-call';
import { ClientConnection, type ConnectionErrors } from './internal/client-connection';
import { startClientSpan } from './internal/request-span';

export interface MuxClientOptions {
  errors: ConnectionErrors;
  /** How long a new stream may wait for the upstream's first answer before its calls fail as unavailable. */
  connectTimeoutMs?: number;
  /**
   * Told when the upstream becomes unreachable (with the reason; calls only learn that it is unavailable) and when
   * it answers again: once per change, however many requests fail in between.
   */
  onAvailability?: (available: boolean, detail?: string) => void;
  /**
   * Told the size of the body bytes this client sends and receives, as they go: how a service nudges the GC
   * (docs/adr/0003-memory.md) without the transport touching the process.
   */
  onBodyBytes?: (bytes: number) => void;
}

export interface CallOptions {
  /** Time left for the request; 0 for none. */
  timeoutMs: number;
}

/**
 * The client side of one hop to one upstream address: one channel, one long-lived Exchange stream at a time, and
 * every request multiplexed on it (ADR-0001).
 *
 * @example
 * const gateway = new MuxClient('127.0.0.1:50051', gatewayBoundary, { errors: gatewayHopErrors.client });
 * const call = gateway.call(request, { timeoutMs: 60_000 }, sink);
 * call.end();
 */
export class MuxClient<H> {
  readonly address: string;
  readonly #client: Client;
  readonly #boundary: Boundary<H>;
  readonly #errors: ConnectionErrors;
  readonly #connectTimeoutMs: number;
  readonly #onAvailability: ((available: boolean, detail?: string) => void) | undefined;
  readonly #onBodyBytes: ((bytes: number) => void) | undefined;
  #available: boolean | undefined;
  #connection: ClientConnection<H> | undefined;
  #lastFailure = 0;
  #closed = false;

  constructor(
    address: string,
    boundary: Boundary<H>,
    { errors, connectTimeoutMs = 2_000, onAvailability, onBodyBytes }: MuxClientOptions,
  ) {
    this.address = address;
    this.#onAvailability = onAvailability;
    this.#onBodyBytes = onBodyBytes;
    this.#boundary = boundary;
    this.#errors = errors;
    this.#connectTimeoutMs = connectTimeoutMs;
    this.#client = new Client(address, credentials.createInsecure(), channelOptions);
  }

  /** When the last stream broke (epoch ms), 0 if never: balancers skip a recently failed upstream. */
  get lastFailure(): number {
    return this.#lastFailure;
  }

  get inFlight(): number {
    return this.#connection?.inFlight ?? 0;
  }

  /**
   * Starts a request: its CLIENT span begins as a child of the active context, which travels to the server in the
   * first frame. The head goes out with this turn's batch; write the body, then `end()`.
   */
  call(head: H, { timeoutMs }: CallOptions, sink: ResponseSink): ClientCall {
    const span = startClientSpan(this.#boundary as Boundary<unknown>, this.address);
    const call: Call = { timeoutMs, traceContext: span.carrier };
    return this.#connect().open(head, call, sink, timeoutMs, span);
  }

  /** Opens the stream ahead of the first request. */
  warm(): void {
    this.#connect();
  }

  isConnected(): boolean {
    return this.#client.getChannel().getConnectivityState(false) === connectivityState.READY;
  }

  close(): void {
    this.#closed = true;
    this.#connection?.close(true);
    this.#client.close();
  }

  #connect(): ClientConnection<H> {
    if (this.#connection?.alive) return this.#connection;
    this.#connection = new ClientConnection(
      this.#client,
      this.#boundary,
      this.#errors,
      this.#connectTimeoutMs,
      this.#onClosed,
      this.#onReady,
      this.#onBodyBytes,
    );
    return this.#connection;
  }

  readonly #onReady = (): void => {
    if (this.#available === true) return;
    this.#available = true;
    this.#onAvailability?.(true);
  };

  readonly #onClosed = (connection: ClientConnection<H>, detail: string): void => {
    if (this.#connection === connection) this.#connection = undefined;
    if (this.#closed) return;
    this.#lastFailure = Date.now();
    if (this.#available === false) return;
    this.#available = false;
    this.#onAvailability?.(false, detail);
  };
}
