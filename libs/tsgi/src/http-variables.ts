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
  for (const [name, value] of headers) {
    const key = variableName(name);
    if (key === undefined) continue;
    const previous = variables[key];
    variables[key] = previous === undefined ? value : `${previous}${key === 'HTTP_COOKIE' ? '; ' : ', '}${value}`;
  }
  return variables;
}

function variableName(name: string): string | undefined {
  if (name.includes('_')) return undefined;
  const upper = name.toUpperCase();
  if (upper === 'CONTENT-TYPE' || upper === 'CONTENT-LENGTH') return undefined;
  return `HTTP_${upper.replaceAll('-', '_')}`;
}
