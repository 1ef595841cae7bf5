import { relative, sep } from 'node:path';
import { AppError, type ErrorCode } from '@mono/errors';
import { contentType } from 'mime-types';
import send from 'send';
import { accepted, CODINGS, EXTENSION, type Coding } from './accept-encoding';
import type { Stage } from './compose';
import type { LocationConfig } from './config';
import type { EdgeContext } from './context';
import { inside, resolveStaticPath } from './static-path';

type StaticFiles = NonNullable<LocationConfig['static']>;

/** What send's errors become; its 403 (a `..` it found) cannot happen after resolveStaticPath, and is a 400 here. */
const ERRORS: Readonly<Record<number, ErrorCode>> = {
  400: 'EDGE_ERR_BAD_REQUEST',
  403: 'EDGE_ERR_BAD_REQUEST',
  404: 'EDGE_ERR_NOT_FOUND',
  412: 'EDGE_ERR_PRECONDITION_FAILED',
  416: 'EDGE_ERR_RANGE_NOT_SATISFIABLE',
};
/** Fields describing a file that an error answer must not keep (416 keeps Content-Range). */
const FILE_FIELDS = ['Content-Type', 'Content-Encoding', 'Content-Length', 'ETag', 'Last-Modified', 'Accept-Ranges'];

/**
 * Serves a static location's files (nginx's `root`/`alias` with `try_files $uri $uri/index.html =404`), through the
 * `send` package: MIME types, ETag and Last-Modified with 304 and 412, Range with 206 and 416, HEAD. Only GET and
 * HEAD (405 with Allow otherwise). The path is resolved first by resolveStaticPath (no way out of the root, no
 * listing; a directory named without its slash is redirected to it, 301). A client that accepts a coding gets a
 * file's precompressed .zst/.br/.gz sibling when there is one, with the file's own Content-Type. Locations with a pool
 * pass on to the proxy.
 */
export function staticFiles(): Stage {
  // Not async: a location without files passes on without a promise of its own (every proxied request comes here).
  return function staticFilesStage(ctx, next) {
    const location = ctx.location as LocationConfig;
    const files = location.static;
    if (files === undefined) return next();
    return serveFile(ctx, location, files);
  };
}

async function serveFile(ctx: EdgeContext, location: LocationConfig, files: StaticFiles): Promise<void> {
  const { req, res } = ctx;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    throw new AppError('EDGE_ERR_METHOD_NOT_ALLOWED', `${req.method} is not served from files`);
  }
  const target = req.url ?? '/';
  const mark = target.indexOf('?');
  const urlPath = mark === -1 ? target : target.slice(0, mark);
  const found = await resolveStaticPath(files.root, files.alias ? below(location.path, urlPath) : urlPath, files.index);
  if (found.kind === 'invalid') throw new AppError('EDGE_ERR_BAD_REQUEST', found.why);
  if (found.kind === 'missing') throw new AppError('EDGE_ERR_NOT_FOUND', `no file for ${urlPath}`);
  if (found.kind === 'directory') {
    ctx.status = 301;
    res.writeHead(301, { Location: `${urlPath}/${mark === -1 ? '' : target.slice(mark)}`, 'Content-Length': 0 });
    res.end();
    return;
  }
  const sibling = await precompressed(files, found.path, req.headers['accept-encoding']);
  res.setHeader(
    'Content-Type',
    contentType(found.path.slice(found.path.lastIndexOf(sep) + 1)) || 'application/octet-stream',
  );
  if (sibling !== undefined) {
    res.setHeader('Content-Encoding', sibling.coding);
    res.appendHeader('Vary', 'Accept-Encoding');
  }
  await sendFile(ctx, files.root, sibling?.path ?? found.path);
}

/** An alias location's part of the path: what follows its prefix, from the slash that ends the prefix if it has one. */
function below(prefix: string, urlPath: string): string {
  const rest = urlPath.slice(prefix.length);
  return prefix.endsWith('/') ? `/${rest}` : rest;
}

/** The first sibling `<file>.zst|.br|.gz` under the root that the client's Accept-Encoding takes, best first. */
async function precompressed(
  files: StaticFiles,
  file: string,
  acceptEncoding: string | undefined,
): Promise<{ path: string; coding: Coding } | undefined> {
  if (!files.precompressed || acceptEncoding === undefined) return undefined;
  for (const coding of accepted(acceptEncoding, CODINGS)) {
    const sibling = await inside(files.root, file + EXTENSION[coding]);
    if (sibling?.stat.isFile()) return { path: sibling.path, coding };
  }
  return undefined;
}

function sendFile(ctx: EdgeContext, root: string, path: string): Promise<void> {
  const { req, res } = ctx;
  // send decodes the path and joins it to the root itself: the real path, relative and percent-encoded.
  const encoded = `/${relative(root, path).split(sep).map(encodeURIComponent).join('/')}`;
  return new Promise((resolve, reject) => {
    const file = send(req, encoded, { root, index: false, dotfiles: 'allow', cacheControl: false });
    file.on('error', (err: { status?: number; message: string }) => {
      for (const name of FILE_FIELDS) res.removeHeader(name);
      res.removeHeader('Vary');
      if (err.status !== 416) res.removeHeader('Content-Range');
      reject(new AppError(ERRORS[err.status ?? 500] ?? 'EDGE_ERR_INTERNAL', err.message));
    });
    file.on('stream', (stream: NodeJS.ReadableStream) => {
      stream.on('data', (chunk: Buffer) => (ctx.bytesSent += chunk.byteLength));
    });
    const done = () => {
      res.off('finish', done);
      res.off('close', done);
      ctx.status = res.writableFinished ? res.statusCode : res.headersSent ? res.statusCode : 499;
      resolve();
    };
    res.on('finish', done);
    res.on('close', done);
    file.pipe(res);
  });
}
