import { STATUS_CODES } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeEnviron, environOf } from '@mono/tsgi';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';

const MAX_WAIT_MS = 10 * 60_000;

/**
 * The demo Express application, written for `http.createServer` and hosted unchanged. Later work and the tests rely
 * on these routes. Diagnostics go to `tsgi.errors` (Flask logs to `wsgi.errors` the same way): the framework writes
 * them to its log with the request's trace id, the reference server to stderr.
 */
export function createDemoApp(): express.Express {
  const app = express();
  app.get('/hello', (_req, res) => {
    res.send('Hello World!');
  });
  app.post('/echo', echo);
  app.get('/slow', slow);
  app.get('/boom', () => {
    throw new Error('boom: the demo handler failed on purpose');
  });
  app.get('/stream', stream);
  app.get('/environ', (req, res) => {
    res.json(describeEnviron(environOf(req)));
  });
  app.use(errorHandler);
  return app;
}

async function echo(req: Request, res: Response): Promise<void> {
  const type = req.headers['content-type'];
  const length = req.headers['content-length'];
  res.status(200);
  if (type) res.setHeader('Content-Type', type);
  if (length) res.setHeader('Content-Length', length);
  await pipeline(req, res).catch(() => {});
}

function slow(req: Request, res: Response): void {
  const ms = waitMs(req.query['ms']);
  const started = Date.now();
  const timer = setTimeout(() => res.type('text/plain').send(`waited ${ms} ms`), ms);
  res.on('close', () => {
    if (res.writableFinished) return;
    clearTimeout(timer);
    log(req, `slow request cancelled after ${Date.now() - started} ms of ${ms}`);
  });
}

async function stream(req: Request, res: Response): Promise<void> {
  const n = Math.min(Number(req.query['n']) || 1, 10_000);
  const ms = waitMs(req.query['ms']);
  const gone = new AbortController();
  res.on('close', () => gone.abort());
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.flushHeaders();
  try {
    for (let i = 1; i <= n; i += 1) {
      if (i > 1) await sleep(ms, undefined, { signal: gone.signal });
      res.write(`chunk ${i} of ${n}\n`);
    }
    res.end();
  } catch {
    // The client left; nothing more to send.
  }
}

function waitMs(value: unknown): number {
  const ms = Number(value);
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_WAIT_MS) : 0;
}

/** Writes one line to the request's `tsgi.errors` (to stderr when the app runs outside a TSGI server). */
function log(req: Request, text: string): void {
  const errors = environOf(req)?.['tsgi.errors'];
  if (errors) errors.write(`${text}\n`);
  else process.stderr.write(`${text}\n`);
}

/** The one error middleware, last: logs the error once and answers without a stack trace. */
const errorHandler: ErrorRequestHandler = function demoErrorHandler(err, req, res, next) {
  const status = statusOf(err);
  if (status >= 500) {
    log(req, `request failed: ${req.method} ${req.originalUrl}: ${err instanceof Error ? err.stack : String(err)}`);
  }
  if (res.headersSent) {
    next(err);
    return;
  }
  const exposed = status < 500 && err instanceof Error && (err as { expose?: boolean }).expose;
  res
    .status(status)
    .type('text/plain')
    .send(exposed ? err.message : (STATUS_CODES[status] ?? 'Error'));
};

function statusOf(err: unknown): number {
  const candidate = (err as { status?: unknown; statusCode?: unknown } | null) ?? {};
  const status = Number(candidate.status ?? candidate.statusCode);
  return Number.isInteger(status) && status >= 400 && status < 600 ? status : 500;
}
