import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { toAppError } from '@mono/errors';
import { createInputStream, runApplication, type Application, type ErrorStream } from '@mono/tsgi';
import { buildEnviron } from './build-environ';
import { environFromMessage } from './environ-from-message';
import { HttpOutput, respondProblem } from './http-output';
import { httpRequestOf } from './http-request-of';

export interface TsgiServerOptions {
  /** Where the application is mounted (SCRIPT_NAME): "/" (the default) or /segment[/segment…]; elsewhere: 404. */
  mount?: string;
  /** `tsgi.errors`; by default the process's stderr. */
  errors?: ErrorStream;
  /** The value of `tsgi.multiprocess`. */
  multiprocess?: boolean;
}

const MOUNT = /^\/$|^(\/[^/?#%\s]+)+$/;

const stderr: ErrorStream = {
  write: (text) => void process.stderr.write(text),
  writelines(lines) {
    for (const line of lines) this.write(line);
  },
  flush() {},
};

/**
 * A reference server for the interface, like Python's `wsgiref.simple_server`: runs one application directly on
 * `node:http`, in one process, with no gateway and no framework service between them. The environ is the stack's:
 * `buildEnviron` (what the gateway does) from the request as the edge would send it, then the live parts
 * (`environFromMessage`, what the framework host does), and `runApplication` drives the response (ADR-0009).
 * Unstarted: call `listen`.
 *
 * @example
 * createTsgiServer(application, { mount: '/app' }).listen(8000, '127.0.0.1');
 */
export function createTsgiServer(app: Application, options: TsgiServerOptions = {}): Server {
  const mount = options.mount ?? '/';
  if (!MOUNT.test(mount)) {
    throw new TypeError(`mount ${JSON.stringify(mount)}: a mount is "/" or /segment[/segment…] without a trailing "/"`);
  }
  const mounts = [mount === '/' ? '' : mount];
  const errors = options.errors ?? stderr;
  const multiprocess = options.multiprocess ?? false;

  return createServer(function tsgiRequest(req: IncomingMessage, res: ServerResponse) {
    const requestId = randomUUID().replaceAll('-', '');
    let wire;
    try {
      wire = buildEnviron(httpRequestOf(req, requestId), mounts);
    } catch (err) {
      respondProblem(res, toAppError(err, 'GW_ERR_INTERNAL'), requestId);
      return;
    }
    const output = new HttpOutput(res, requestId, errors);
    const environ = environFromMessage(wire, {
      input: () => createInputStream(req[Symbol.asyncIterator]()),
      errors,
      signal: output.signal,
      deadline: Infinity,
      multiprocess,
    });
    void runApplication(app, environ, output);
  });
}
