/**
 * The CGI view of request header fields: `HTTP_<NAME>` with `-` as `_`, repeats joined with ", " (Cookie with "; ").
 * Content-Type and Content-Length are CONTENT_TYPE and CONTENT_LENGTH instead. Names containing "_" are left out:
 * `X-Auth_User` and `X-Auth-User` would collide (nginx's underscores_in_headers off, gunicorn's header_map=drop);
 * the raw fields in `tsgi.headers` still hold them.
 *
 * @example
 * httpVariables([['X-Rep', 'a'], ['x-rep', 'b']]) // { HTTP_X_REP: 'a, b' }
 */
export function httpVariables(headers: Iterable<readonly [string, string]>): Record<`HTTP_${string}`, string> {
  const variables: Record<string, string> = {};
  addHttpVariables(variables, headers);
  return variables;
}

/**
 * `httpVariables` added straight to `target`, which holds no HTTP_* key yet (createEnviron).
 */
export function addHttpVariables(target: Record<string, unknown>, headers: Iterable<readonly [string, string]>): void {
  for (const [name, value] of headers) {
    const key = variableName(name);
    if (key === undefined) continue;
    const previous = target[key] as string | undefined;
    target[key] = previous === undefined ? value : `${previous}${key === 'HTTP_COOKIE' ? '; ' : ', '}${value}`;
  }
}

/**
 * Header names repeat from request to request: each one's variable is worked out once, for the first 1000 names of
 * at most 64 characters (a client's long made-up names cannot make the cache hold much).
 */
const NAMES = new Map<string, string | null>();

function variableName(name: string): string | undefined {
  let key = NAMES.get(name);
  if (key === undefined) {
    key = nameOf(name);
    if (NAMES.size < 1_000 && name.length <= 64) NAMES.set(name, key);
  }
  return key ?? undefined;
}

function nameOf(name: string): string | null {
  if (name.includes('_')) return null;
  const upper = name.toUpperCase();
  if (upper === 'CONTENT-TYPE' || upper === 'CONTENT-LENGTH') return null;
  return `HTTP_${upper.replaceAll('-', '_')}`;
}
