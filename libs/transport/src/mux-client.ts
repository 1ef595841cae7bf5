import { Client, connectivityState, credentials, Metadata, status, type ClientReadableStream } from '@grpc/grpc-js';
import {
  HealthClient,
  ServingStatus,
  type Boundary,
  type Call,
  type HealthCheckResponse,
  type Limits,
} from '@mono/contracts';
import { channelOptions } from './channel-options';
import { namedBy, sameLimits } from './hop-limits';
import { HEAD_BACKSTOP_MS, type ClientCall, type ResponseSink } from './client-call';
import { ClientConnection, type ConnectionErrors, type ConnectionEvents } from './internal/client-connection';
import { BULK_BODY_BYTES } from './internal/limits';
import { startClientSpan } from './internal/request-span';

export interface MuxClientOptions {
  errors: ConnectionErrors;
  /** How long a new stream may wait for the upstream's first answer before its calls fail as unavailable. */
  connectTimeoutMs?: number;
  /**
   * How long past the head limit it sent a call waits for the upstream's answer before failing it with
   * `errors.deadline` itself (50 ms): the upstream's own timer, which names the layer, normally fires first.
   */
  headBackstopMs?: number;
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
  /**
   * Told what the upstream accepts of every request when it first says so and whenever that changes, named as this
   * client names it (`gateway 127.0.0.1:50051`; a limit of a layer behind it `framework … behind gateway …`).
   */
  onLimits?: (limits: Limits) => void;
}

export interface CallOptions {
  /** ms until the response head must arrive; 0: no limit. */
  headTimeoutMs: number;
  /** The longest gap in ms between two body chunks in either direction; 0: no limit. */
  idleTimeoutMs: number;
  /**
   * The request body's size as declared (Infinity when the length is not known, 0 or absent without a body): one larger
   * than BULK_BODY_BYTES goes on the client's second stream, so that it never holds back the other requests' frames.
   */
  bodyBytes?: number;
}

/**
 * How long a health Watch that failed waits before it asks again. The new Watch waits for the channel to be ready
 * (it reconnects with the backoff of channelOptions), so a restarted upstream is heard as soon as it is reachable.
 */
const WATCH_RETRY_MS = 100;

export class MuxClient<H> {
  readonly address: string;
  readonly #client: Client;
  readonly #boundary: Boundary<H>;
  readonly #errors: ConnectionErrors;
  readonly #connectTimeoutMs: number;
  readonly #headBackstopMs: number;
  readonly #onAvailability: ((available: boolean, detail?: string) => void) | undefined;
  readonly #onBodyBytes: ((bytes: number) => void) | undefined;
  readonly #onLimits: ((limits: Limits) => void) | undefined;
  #limits: Limits | undefined;
  #available: boolean | undefined;
  #connection: ClientConnection<H> | undefined;
  /** The stream for requests whose bodies are larger than BULK_BODY_BYTES, opened by the first of them. */
  #bulk: ClientConnection<H> | undefined;
  /** Every stream still open: the current ones and those that said goaway and finish their calls. */
  readonly #connections = new Set<ClientConnection<H>>();
  #lastFailure = 0;
  #closed = false;
  #watch: ClientReadableStream<HealthCheckResponse> | undefined;
  #watchTimer: NodeJS.Timeout | undefined;

  constructor(
    address: string,
    boundary: Boundary<H>,
    {
      errors,
      connectTimeoutMs = 2_000,
      headBackstopMs = HEAD_BACKSTOP_MS,
      onAvailability,
      onBodyBytes,
      onLimits,
    }: MuxClientOptions,
  ) {
    this.address = address;
    this.#onLimits = onLimits;
    this.#onAvailability = onAvailability;
    this.#onBodyBytes = onBodyBytes;
    this.#boundary = boundary;
    this.#errors = errors;
    this.#connectTimeoutMs = connectTimeoutMs;
    this.#headBackstopMs = headBackstopMs;
    this.#client = new Client(address, credentials.createInsecure(), channelOptions);
  }

  /** When the last stream broke (epoch ms), 0 if never: balancers skip a recently failed upstream. */
  get lastFailure(): number {
    return this.#lastFailure;
  }

  /** What the upstream last said it accepts (kept while it is unreachable); undefined until it says. */
  get limits(): Limits | undefined {
    return this.#limits;
  }

  get inFlight(): number {
    let total = 0;
    for (const connection of this.#connections) total += connection.inFlight;
    return total;
  }

  /**
   * Starts a request: its CLIENT span begins as a child of the active context, which travels to the server in the
   * first frame. The head goes out with this turn's batch; write the body, then `end()`.
   */
  call(head: H, { headTimeoutMs, idleTimeoutMs, bodyBytes = 0 }: CallOptions, sink: ResponseSink): ClientCall {
    const span = startClientSpan(this.#boundary as Boundary<unknown>, this.address);
    const call: Call = { traceContext: span.carrier, headTimeoutMs, idleTimeoutMs };
    return this.#connect(bodyBytes > BULK_BODY_BYTES).open(head, call, sink, span);
  }

  /**
   * Follows the upstream's grpc.health.v1 Watch for the boundary's service on this client's own channel, telling
   * `onStatus` each status (SERVING, NOT_SERVING, …; "" while it cannot ask). The first Watch fails at once when the
   * upstream is unreachable; after a failure it asks again, waiting for the channel to reconnect.
   */
  watchHealth(onStatus: (status: string) => void): void {
    this.#followHealth(onStatus, false);
  }

  #followHealth(onStatus: (status: string) => void, waitForReady: boolean): void {
    if (this.#closed) return;
    const health = new HealthClient(this.address, credentials.createInsecure(), {
      channelOverride: this.#client.getChannel(),
    });
    const metadata = new Metadata();
    if (waitForReady) metadata.setOptions({ waitForReady: true });
    const watch = health.watch({ service: this.#boundary.rpcService }, metadata);
    this.#watch = watch;
    watch.on('data', (response: HealthCheckResponse) => onStatus(ServingStatus[response.status] ?? ''));
    watch.on('error', (err: Error & { code?: number }) => {
      this.#watch = undefined;
      if (this.#closed || err.code === status.UNIMPLEMENTED) return;
      onStatus('');
      this.#watchTimer = setTimeout(() => this.#followHealth(onStatus, true), WATCH_RETRY_MS);
      this.#watchTimer.unref();
    });
  }

  /** Opens the stream ahead of the first request. */
  warm(): void {
    this.#connect();
  }

  isConnected(): boolean {
    return this.#client.getChannel().getConnectivityState(false) === connectivityState.READY;
  }

  /** Closes at once (`force`: calls in flight fail), or once the calls in flight are done. */
  close(force = true): void {
    this.#closed = true;
    this.#watch?.cancel();
    if (this.#watchTimer) clearTimeout(this.#watchTimer);
    for (const connection of this.#connections) connection.close(force);
    if (force || this.#connections.size === 0) this.#client.close();
  }

  #connect(bulk = false): ClientConnection<H> {
    const current = bulk ? this.#bulk : this.#connection;
    if (current?.usable) return current;
    const connection = new ClientConnection(
      this.#client,
      this.#boundary,
      this.#errors,
      this.#connectTimeoutMs,
      this.#events,
      this.#onBodyBytes,
      this.#headBackstopMs,
    );
    if (bulk) this.#bulk = connection;
    else this.#connection = connection;
    this.#connections.add(connection);
    return connection;
  }

  /** A stream that said goaway or ended takes no new calls: the next call opens another. */
  #forget(connection: ClientConnection<H>): void {
    if (this.#connection === connection) this.#connection = undefined;
    if (this.#bulk === connection) this.#bulk = undefined;
  }

  readonly #events: ConnectionEvents<H> = {
    ready: () => {
      if (this.#available === true) return;
      this.#available = true;
      this.#onAvailability?.(true);
    },
    limits: (announced) => {
      const limits = namedBy(announced, `${this.#boundary.server} ${this.address}`);
      if (this.#limits !== undefined && sameLimits(this.#limits, limits)) return;
      this.#limits = limits;
      this.#onLimits?.(limits);
    },
    draining: (connection) => this.#forget(connection),
    closed: (connection, detail, graceful) => {
      this.#connections.delete(connection);
      this.#forget(connection);
      if (this.#closed) {
        if (this.#connections.size === 0) this.#client.close();
        return;
      }
      if (graceful) return;
      this.#lastFailure = Date.now();
      if (this.#available === false) return;
      this.#available = false;
      this.#onAvailability?.(false, detail);
    },
  };
}
