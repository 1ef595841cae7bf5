import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** Where a request's path leads under a static root. */
export type StaticPath =
  | { kind: 'file'; path: string; stat: Stats }
  /** A directory named without its trailing slash: nginx redirects to the name with it (301). */
  | { kind: 'directory' }
  /** Nothing the client may see: missing, a dotfile, a directory without an index, or outside the root. */
  | { kind: 'missing' }
  /** Not a path at all: bad percent-encoding, a NUL, a `..` segment, a backslash. */
  | { kind: 'invalid'; why: string };

/**
 * Resolves the URL path `urlPath` (still percent-encoded, without the query) under `root`, which must be a real path
 * (no symlinks in it). Decodes once, then refuses what could climb out: `..` segments, backslashes, NUL; skips empty
 * and `.` segments (nginx's merge_slashes); hides dotfiles; follows symlinks only to where they stay under the root
 * (realpath, nginx's `disable_symlinks if_not_owner from=$document_root` in spirit); a directory serves the first of
 * `index` that is a file and never a listing.
 *
 * @example
 * await resolveStaticPath('/srv/www', '/static/app.css', ['index.html']); // { kind: 'file', path: '/srv/www/static/app.css', … }
 */
export async function resolveStaticPath(root: string, urlPath: string, index: readonly string[]): Promise<StaticPath> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { kind: 'invalid', why: 'the path is not valid percent-encoded UTF-8' };
  }
  if (decoded.includes('\0')) return { kind: 'invalid', why: 'the path contains NUL' };
  if (decoded.includes('\\')) return { kind: 'invalid', why: 'the path contains a backslash' };
  const segments: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') return { kind: 'invalid', why: 'the path climbs with ".."' };
    if (segment.startsWith('.')) return { kind: 'missing' };
    segments.push(segment);
  }
  const found = await inside(root, join(root, ...segments));
  if (found === undefined) return { kind: 'missing' };
  if (found.stat.isFile()) return decoded.endsWith('/') ? { kind: 'missing' } : { kind: 'file', ...found };
  if (!found.stat.isDirectory()) return { kind: 'missing' };
  if (!decoded.endsWith('/')) return { kind: 'directory' };
  for (const name of index) {
    const candidate = await inside(root, join(found.path, name));
    if (candidate?.stat.isFile()) return { kind: 'file', ...candidate };
  }
  return { kind: 'missing' };
}

/** The real path of `path` and its stat, when it exists and its real path lies under `root`. */
export async function inside(root: string, path: string): Promise<{ path: string; stat: Stats } | undefined> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return undefined;
  }
  if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  try {
    return { path: real, stat: await stat(real) };
  } catch {
    return undefined;
  }
}
