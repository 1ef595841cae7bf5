import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { prometheusHandler } from '@mono/telemetry';

export interface AdminOptions {
  /** The service, for messages. */
  name: string;
  /** `host:port` (port 0 picks a free one). */
  address: string;
  /** Serving: the service takes new requests (false while starting and while draining). */
  ready(): boolean;
  /** The service's counters and gauges as JSON (`/stats`); a promise when they are gathered from other processes. */
  stats(): unknown;
  /**
   * The Prometheus text of `/metrics` when the service gathers it itself (a master from its workers; undefined text:
   * not served); returning undefined, or without this, the process's own metrics (prometheusHandler).
   */
  metrics?(): Promise<string | undefined> | undefined;
}

export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json';
const NOT_PROMETHEUS = 'metrics are not served here: OTEL_METRICS_EXPORTER is not prometheus\n';

/**
 * The service's admin listener, on loopback by default (nginx's stub_status, uWSGI's stats server): `/healthz` (the
 * process is alive), `/readyz` (it takes requests: 503 while starting or draining), `/stats` (JSON) and `/metrics`
 * (Prometheus text from OpenTelemetry metrics, when OTEL_METRICS_EXPORTER=prometheus). Its requests are neither
 * traced nor access-logged. A port in use fails the start, naming the address.
 *
 * @example
 * const admin = await startAdminServer({ name: 'edge', address: '127.0.0.1:9080', ready, stats });
 */
export function startAdminServer(options: AdminOptions): Promise<AdminServer> {
  const server = createServer((req, res) => route(options, req, res));
  const colon = options.address.lastIndexOf(':');
  const host = options.address.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(options.address.slice(colon + 1));
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'the address is already in use' : err.message;
      reject(new Error(`${options.name}: cannot listen (admin) on ${options.address}: ${why}`, { cause: err }));
    });
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      resolve({ port: (server.address() as AddressInfo).port, close: () => close(server) });
    });
  });
}

function route(options: AdminOptions, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'text/plain', 'GET or HEAD\n', { Allow: 'GET, HEAD' });
    return;
  }
  const path = (req.url ?? '/').split('?')[0];
  switch (path) {
    case '/healthz':
      send(res, 200, JSON_TYPE, '{"status":"alive"}\n');
      return;
    case '/readyz': {
      const ready = options.ready();
      send(res, ready ? 200 : 503, JSON_TYPE, `{"status":"${ready ? 'ready' : 'not ready'}"}\n`);
      return;
    }
    case '/stats':
      Promise.resolve(options.stats()).then(
        (stats) => send(res, 200, JSON_TYPE, `${JSON.stringify(stats)}\n`),
        (err: unknown) => send(res, 500, 'text/plain', `stats unavailable: ${String(err)}\n`),
      );
      return;
    case '/metrics': {
      const gathered = options.metrics?.();
      if (gathered !== undefined) {
        gathered.then(
          (text) =>
            text === undefined
              ? send(res, 404, 'text/plain', NOT_PROMETHEUS)
              : send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', text),
          (err: unknown) => send(res, 500, 'text/plain', `metrics unavailable: ${String(err)}\n`),
        );
        return;
      }
      const handler = prometheusHandler();
      if (handler) handler(req, res);
      else send(res, 404, 'text/plain', NOT_PROMETHEUS);
      return;
    }
    default:
      send(res, 404, 'text/plain', 'not found: /healthz /readyz /stats /metrics\n');
  }
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
