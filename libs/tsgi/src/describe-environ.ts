import type { Environ } from './environ';

/**
 * The environ as one flat JSON object, as an application sees it (wsgiref's `demo_app` prints it too): the CGI
 * variables and `tsgi.*` scalars by their PEP 3333 names, `tsgi.version`, and the raw header fields as `headers`.
 * The live parts (`tsgi.input`, `tsgi.errors`, `tsgi.signal`) are left out.
 *
 * @example
 * app.get('/environ', (req, res) => res.json(describeEnviron(environOf(req))));
 */
export function describeEnviron(environ: Environ | undefined): Record<string, unknown> {
  if (!environ) return {};
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(environ)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') flat[key] = value;
  }
  flat['tsgi.version'] = environ['tsgi.version'];
  flat['headers'] = environ['tsgi.headers'];
  return flat;
}
