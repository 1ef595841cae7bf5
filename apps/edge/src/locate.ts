import { AppError } from '@mono/errors';
import type { Stage } from './compose';
import type { LocationConfig } from './config';

/**
 * Finds the request's location (nginx's `location`): an exact match first, else the longest prefix of the path.
 * Its limits, timeouts and pool apply from here on, and its response headers are added (nginx's add_header, to every
 * response of the location, errors included). No location → 404.
 */
export function locate(locations: readonly LocationConfig[]): Stage {
  const exact = new Map(locations.filter((l) => l.exact).map((l) => [l.path, l]));
  const prefixes = locations.filter((l) => !l.exact).sort((a, b) => b.path.length - a.path.length);
  return function locateStage(ctx, next) {
    const target = ctx.req.url ?? '/';
    const mark = target.indexOf('?');
    const path = mark === -1 ? target : target.slice(0, mark);
    const location = exact.get(path) ?? longestPrefix(prefixes, path);
    if (location === undefined) throw new AppError('EDGE_ERR_NOT_FOUND', `no location serves ${path}`);
    ctx.location = location;
    for (const [name, value] of location.responseHeaders) ctx.res.setHeader(name, value);
    return next();
  };
}

/** The first of `prefixes` (longest first) that starts `path`. */
function longestPrefix(prefixes: readonly LocationConfig[], path: string): LocationConfig | undefined {
  for (const location of prefixes) if (path.startsWith(location.path)) return location;
  return undefined;
}
