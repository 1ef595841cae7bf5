import { describeEnviron, type Application, type Environ, type HeaderList, type ResponseBody } from '@mono/tsgi';

const TEXT: HeaderList = [['Content-Type', 'text/plain; charset=utf-8']];

/**
 * An application written directly against the interface, no framework: WSGI's `application(environ,
 * start_response)` with `/hello`, `POST /echo` (the body streamed back) and `/environ`.
 */
export const application: Application = (environ, startResponse) => {
  const route = `${environ.REQUEST_METHOD} ${environ.PATH_INFO}`;
  if (route === 'GET /hello') {
    startResponse('200 OK', TEXT);
    return [Buffer.from('Hello World!')];
  }
  if (route === 'GET /environ') {
    startResponse('200 OK', [['Content-Type', 'application/json']]);
    return [Buffer.from(JSON.stringify(describeEnviron(environ)))];
  }
  if (route === 'POST /echo') {
    const headers: HeaderList = [];
    if (environ.CONTENT_TYPE !== '') headers.push(['Content-Type', environ.CONTENT_TYPE]);
    if (environ.CONTENT_LENGTH !== '') headers.push(['Content-Length', environ.CONTENT_LENGTH]);
    startResponse('200 OK', headers);
    return echo(environ);
  }
  startResponse('404 Not Found', TEXT);
  return [Buffer.from('Not Found')];
};

/** The request body, chunk by chunk as it arrives (`tsgi.input_terminated`: the input ends at the body's end). */
function echo(environ: Environ): ResponseBody {
  return environ['tsgi.input'];
}
