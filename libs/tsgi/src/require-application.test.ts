import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadApplication, parseApplicationSpec, requireApplication } from './require-application';
import { invoke } from './testing';

const dir = mkdtempSync(join(tmpdir(), 'tsgi-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const express = JSON.stringify(require.resolve('express'));

/** Writes a CommonJS module and returns its path. */
function module(name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

const TSGI = `(environ, startResponse) => { startResponse('200 OK', []); return [Buffer.from('tsgi ' + environ.PATH_INFO)]; }`;
const FETCH = `async (request) => new Response('fetch ' + new URL(request.url).pathname)`;
const EXPRESS = `require(${express})().get('/x', (req, res) => res.send('express ' + req.path))`;

async function answer(spec: string): Promise<string> {
  const recording = invoke(requireApplication(spec), { uri: '/x' });
  await recording.done;
  return recording.body;
}

describe('parseApplicationSpec', () => {
  it('should read path, export and kind', () => {
    expect(parseApplicationSpec('a/b.cjs')).toEqual({ path: 'a/b.cjs' });
    expect(parseApplicationSpec('a/b.cjs:handler')).toEqual({ path: 'a/b.cjs', exportName: 'handler' });
    expect(parseApplicationSpec('a/b.cjs:handler:fetch')).toEqual({
      path: 'a/b.cjs',
      exportName: 'handler',
      kind: 'fetch',
    });
  });

  it('should name a kind it does not know', () => {
    expect(() => parseApplicationSpec('a/b.cjs:app:flask')).toThrow(
      '"a/b.cjs:app:flask": the kind is express, fetch or tsgi, not "flask"',
    );
  });
});

describe('requireApplication', () => {
  it('should find the conventional exports when no export is named', async () => {
    expect(await answer(module('tsgi.cjs', `exports.application = ${TSGI};`))).toBe('tsgi /x');
    expect(await answer(module('express.cjs', `exports.app = ${EXPRESS};`))).toBe('express /x');
    expect(await answer(module('fetch.cjs', `exports.fetch = ${FETCH};`))).toBe('fetch /x');
    expect(await answer(module('default.cjs', `exports.default = { application: ${TSGI} };`))).toBe('tsgi /x');
    expect(await answer(module('itself.cjs', `module.exports = ${EXPRESS};`))).toBe('express /x');
  });

  it('should tell the kind of a named export from its shape', async () => {
    const path = module(
      'shapes.cjs',
      `exports.plain = ${TSGI};
       exports.web = { greeting: 'hi', async fetch(request) { return new Response(this.greeting + ' ' + new URL(request.url).pathname); } };
       exports.server = ${EXPRESS};
       exports.fetch = ${FETCH};`,
    );
    expect(loadApplication(`${path}:plain`)).toMatchObject({ kind: 'tsgi', exportName: 'plain', path });
    expect(await answer(`${path}:plain`)).toBe('tsgi /x');
    expect(loadApplication(`${path}:web`).kind).toBe('fetch');
    expect(await answer(`${path}:web`)).toBe('hi /x');
    expect(loadApplication(`${path}:server`).kind).toBe('express');
    expect(await answer(`${path}:server`)).toBe('express /x');
    expect(loadApplication(`${path}:fetch`).kind).toBe('fetch');
  });

  it('should take the kind the spec names over the shape', async () => {
    const path = module(
      'listener.cjs',
      `exports.listener = (req, res) => res.end('listener ' + req.url); exports.handler = ${FETCH};`,
    );
    expect(await answer(`${path}:listener:express`)).toBe('listener /x');
    expect(await answer(`${path}:handler:fetch`)).toBe('fetch /x');
  });

  it('should name the module and the export when it is not there or not an application', () => {
    const path = module('nothing.cjs', `exports.value = 42;`);
    expect(() => requireApplication(path)).toThrow(`${path} exports no \`application\`, \`app\` or \`fetch\` function`);
    expect(() => requireApplication(`${path}:missing`)).toThrow(`${path} has no export \`missing\``);
    expect(() => requireApplication(`${path}:value`)).toThrow(`${path}: \`value\` is not a TSGI application`);
    expect(() => requireApplication(`${path}:value:fetch`)).toThrow(`${path}: \`value\` is not a fetch handler`);
    expect(() => requireApplication(join(dir, 'absent.cjs'))).toThrow(/Cannot find module/);
  });
});
