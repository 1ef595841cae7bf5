import { AppError } from '@mono/errors';
import type { Logger } from '@mono/telemetry';
import type { Application } from '@mono/tsgi';
import { ApplicationStats } from './application-stats';
import { DEFAULT_APPLICATION } from './config';
import type { HostedApplication } from './load-applications';

/** One hosted application as requests reach it: what runs (validated or not), its variables, its counters. */
export interface HostedEntry {
  readonly name: string;
  readonly app: Application;
  readonly env: Readonly<Record<string, string>>;
  readonly source: string | undefined;
  readonly stats: ApplicationStats;
}

/**
 * The applications the framework hosts, by the name the gateway's mount gives (`Environ.application`): "" and
 * "default" are the default application, the first one loaded. A name it does not host is refused as not accepted
 * (another instance may host it, in a rolling deploy) with FW_ERR_NO_APPLICATION (404), logged once per name.
 */
export class ApplicationTable {
  readonly entries: readonly HostedEntry[];
  readonly #byName = new Map<string, HostedEntry>();
  readonly #unknown = new Set<string>();
  readonly #log: Logger;

  constructor(applications: readonly HostedApplication[], wrap: (app: Application) => Application, log: Logger) {
    if (applications.length === 0) throw new Error('framework: no application to host');
    this.#log = log;
    this.entries = applications.map((hosted) => ({
      name: hosted.name,
      app: wrap(hosted.app),
      env: hosted.env,
      source: hosted.source,
      stats: new ApplicationStats(),
    }));
    for (const entry of this.entries) this.#byName.set(entry.name, entry);
    this.#byName.set('', this.entries[0] as HostedEntry);
    this.#byName.set(DEFAULT_APPLICATION, this.entries[0] as HostedEntry);
  }

  get(name: string): HostedEntry | undefined {
    return this.#byName.get(name);
  }

  /** The error for a request naming an application that is not hosted here. */
  unknown(name: string): AppError {
    const hosted = this.entries.map((entry) => entry.name).join(', ');
    if (this.#unknown.size < 100 && !this.#unknown.has(name)) {
      this.#unknown.add(name);
      this.#log.error({ application: name, hosted }, 'a request names an application that is not hosted here');
    }
    return new AppError('FW_ERR_NO_APPLICATION', `no application ${JSON.stringify(name)} is hosted here`, {
      notAccepted: true,
    });
  }
}
