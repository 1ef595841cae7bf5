import { credentials, Metadata, status, type Server, type ServerWritableStream } from '@grpc/grpc-js';
import {
  HealthClient,
  HealthService,
  ServingStatus,
  type HealthCheckRequest,
  type HealthCheckResponse,
  type HealthServer,
} from '@mono/contracts';

/**
 * The standard grpc.health.v1 service (Check and Watch), from the vendored health.proto: what Kubernetes,
 * grpc_health_probe and load balancers ask. `""` names the server as a whole.
 */
export class Health {
  readonly #statuses = new Map<string, ServingStatus>();
  readonly #watchers = new Map<string, Set<ServerWritableStream<HealthCheckRequest, HealthCheckResponse>>>();

  constructor(services: readonly string[]) {
    for (const service of ['', ...services]) this.#statuses.set(service, ServingStatus.NOT_SERVING);
  }

  /** Sets every service's status. */
  setAll(serving: boolean): void {
    const next = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    for (const service of this.#statuses.keys()) {
      this.#statuses.set(service, next);
      for (const watcher of this.#watchers.get(service) ?? []) watcher.write({ status: next });
    }
  }

  addTo(server: Server): void {
    const implementation: HealthServer = {
      check: (call, callback) => {
        const current = this.#statuses.get(call.request.service);
        if (current === undefined)
          callback({ code: status.NOT_FOUND, details: `unknown service ${call.request.service}` });
        else callback(null, { status: current });
      },
      watch: (call) => {
        const service = call.request.service;
        call.write({ status: this.#statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN });
        const watchers = this.#watchers.get(service) ?? new Set();
        this.#watchers.set(service, watchers);
        watchers.add(call);
        call.on('cancelled', () => watchers.delete(call));
      },
    };
    server.addService(HealthService, implementation);
  }
}

/**
 * Asks a server's health service once. Resolves with "SERVING", "NOT_SERVING", … or rejects when the server does
 * not answer within `timeoutMs`.
 *
 * @example
 * await checkHealth('127.0.0.1:50051'); // 'SERVING'
 */
export function checkHealth(address: string, { service = '', timeoutMs = 1_000 } = {}): Promise<string> {
  const client = new HealthClient(address, credentials.createInsecure());
  return new Promise<string>((resolve, reject) => {
    client.check({ service }, new Metadata(), { deadline: Date.now() + timeoutMs }, (err, response) => {
      client.close();
      if (err) reject(err);
      else resolve(ServingStatus[response.status] ?? 'UNKNOWN');
    });
  });
}
