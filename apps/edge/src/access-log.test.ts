import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { createLogger } from '@mono/telemetry';
import { inject } from 'light-my-request';
import { describe, expect, it } from 'vitest';
import { accessLog, combinedLine } from './access-log';
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

  it('should write combined lines, escaping what could forge a line or a field', async () => {
    const lines: string[] = [];
    const run = compose([
      accessLog(
        createLogger('edge', 'silent'),
        { healthPath: '/_edge/health', healthQuiet: true, accessLog: 'combined' },
        (line) => lines.push(line),
      ),
      async (ctx) => {
        ctx.requestId = 'r1';
        ctx.status = 200;
        ctx.bytesSent = 2;
        ctx.res.end('ok');
      },
    ]);
    await inject((req, res) => void run(createContext(req, res)), {
      url: '/a?b=1',
      headers: { referer: 'http://x/"y', 'user-agent': 'agent\u00e9' },
    });
    expect(lines).toEqual([
      expect.stringMatching(
        /^127\.0\.0\.1 - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \/a\?b=1 HTTP\/1\.1" 200 2 "http:\/\/x\/\\x22y" "agent\\xE9" \d+\.\d{3} r1 -\n$/,
      ),
    ]);
  });

  it('should format the time as nginx does', () => {
    const ctx = {
      req: { method: 'GET', url: '/', httpVersion: '1.1', headers: {}, socket: { remoteAddress: '::1' } },
      startedAt: process.hrtime.bigint(),
      status: 204,
      bytesSent: 0,
      requestId: 'r',
      traceId: 't',
    } as unknown as Parameters<typeof combinedLine>[0];
    expect(combinedLine(ctx, new Date(Date.UTC(2026, 10, 30, 9, 5, 7)))).toMatch(
      /^::1 - - \[30\/Nov\/2026:09:05:07 \+0000\] "GET \/ HTTP\/1\.1" 204 0 "-" "-" \d+\.\d{3} r t\n$/,
    );
  });
});
