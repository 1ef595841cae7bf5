import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '@mono/errors';
import { createLogger } from '@mono/telemetry';
import { inject } from 'light-my-request';
import { describe, expect, it } from 'vitest';
import { compose, type Stage } from './compose';
import { createContext } from './context';
import { errorsToStatus } from './errors-to-status';

const log = createLogger('edge', 'silent');

/** The stage behind errorsToStatus, on a real request and response. */
function behind(stage: Stage) {
  const run = compose([errorsToStatus(log), stage]);
  return (req: IncomingMessage, res: ServerResponse) => void run(createContext(req, res));
}

describe('errorsToStatus', () => {
  it('should answer a thrown AppError with its status as problem+json', async () => {
    const res = await inject(
      behind(async () => {
        throw new AppError('EDGE_ERR_BODY_TOO_LARGE', 'too big');
      }),
      { url: '/' },
    );
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'EDGE_ERR_BODY_TOO_LARGE', detail: 'too big' });
  });

  it('should answer any other error with 500 and no detail of it', async () => {
    const res = await inject(
      behind(async () => {
        throw new Error('secret internals');
      }),
      { url: '/' },
    );
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'EDGE_ERR_INTERNAL' });
    expect(res.body).not.toContain('secret internals');
  });

  it('should answer 500 for a stage that neither answers nor calls next(), instead of leaving the client waiting', async () => {
    const res = await inject(
      behind(async () => {}),
      { url: '/' },
    );
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'EDGE_ERR_INTERNAL', detail: 'no stage answered the request' });
  });

  it('should abort the response when a stage fails after the head was sent', async () => {
    const answered = inject(
      behind(async (ctx, next) => {
        ctx.status = 200;
        ctx.res.writeHead(200, { 'Content-Type': 'text/plain' });
        ctx.res.write('partial');
        await next();
        throw new Error('too late for a status');
      }),
      { url: '/' },
    );
    await expect(answered).rejects.toThrow('response destroyed before completion');
  });
});
