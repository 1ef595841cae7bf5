import type { IncomingMessage } from 'node:http';
import type { Environ } from './environ';

/**
 * The environ on the request object itself: a WeakMap with an entry per request churns like a Map (call-table.ts).
 * A registered symbol, so that an application bundled with its own copy of this library (examples/express-demo)
 * finds the environ that the host's copy attached.
 */
export const ENVIRON = Symbol.for('tsgi.environ');

/** A request `fromExpress` made: its environ under `ENVIRON`. */
export type AdaptedRequest = IncomingMessage & { [ENVIRON]?: Environ };

/**
 * The environ behind a request that `fromExpress` created (Flask's `request.environ`).
 *
 * @example
 * app.get('/environ', (req, res) => res.json(environOf(req)?.SCRIPT_NAME));
 */
export function environOf(req: IncomingMessage): Environ | undefined {
  return (req as AdaptedRequest)[ENVIRON];
}
