import { describeEnviron, type Environ } from '@mono/tsgi';

/**
 * An application written as a Web `fetch` handler (as for Hono, Deno or Bun): `/hello`, `POST /echo` and `/environ`.
 * The URL it gets is below the mount point; the environ comes as the second argument, like a runtime's `env`.
 */
export async function fetch(request: Request, environ: Environ): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (request.method === 'GET' && pathname === '/hello') return new Response('Hello World!');
  if (request.method === 'GET' && pathname === '/environ') return Response.json(describeEnviron(environ));
  if (request.method === 'POST' && pathname === '/echo') return echo(request);
  return new Response('Not Found', { status: 404 });
}

function echo(request: Request): Response {
  const headers = new Headers();
  for (const name of ['content-type', 'content-length']) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  return new Response(request.body, { status: 200, headers });
}
