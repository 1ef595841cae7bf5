import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { createLogger } from '@mono/telemetry';
import { inject } from 'light-my-request';
import { describe, expect, it } from 'vitest';
import { accessLog } from './access-log';
import { compose } from './compose';
import { createContext } from './context';

function loggedPipeline(healthQuiet: boolean) {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const run = compose([
    accessLog(createLogger('edge', 'info', stream), { healthPath: '/_edge/health', healthQuiet, accessLog: 'json' }),
    async (ctx) => {
      ctx.status = 200;
      ctx.res.end('ok');
    },
  ]);
  return {
    lines,
    handler: (req: IncomingMessage, res: ServerResponse) => void run(createContext(req, res)),
  };
}

describe('accessLog', () => {
  it('should write one line per request with its method, target and status', async () => {
    const { lines, handler } = loggedPipeline(true);
    await inject(handler, { url: '/hello?x=1' });
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'access', method: 'GET', target: '/hello?x=1', status: 200 }),
    ]);
  });

  it('should leave health checks out unless told to log them', async () => {
    const quiet = loggedPipeline(true);
    await inject(quiet.handler, { url: '/_edge/health' });
    expect(quiet.lines).toEqual([]);
    const logged = loggedPipeline(false);
    await inject(logged.handler, { url: '/_edge/health' });
    expect(logged.lines).toEqual([expect.objectContaining({ target: '/_edge/health' })]);
  });
});
