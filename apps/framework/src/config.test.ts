import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEnv } from '@mono/config';
import { describe, expect, it } from 'vitest';
import { frameworkEnvSchema, loadFrameworkConfig } from './config';
import { scratchDir } from './testing';

function writeConfig(text: string): string {
  const file = join(scratchDir('fw-config-'), 'framework.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadFrameworkConfig', () => {
  it('should default to 127.0.0.1:50061, the demo app, a master and no recycling', () => {
    expect(loadFrameworkConfig({})).toEqual({
      listen: '127.0.0.1:50061',
      admin: '127.0.0.1:9061',
      applications: [{ name: 'default', module: undefined, env: {} }],
      multiprocess: false,
      validate: false,
      limits: { headerBytes: 0, bodyBytes: 0 },
      master: true,
      reload: { watch: false, maxRequests: 0, maxResidentBytes: 0, readyTimeoutMs: 30_000 },
      shutdownGraceMs: 30_000,
      logLevel: 'info',
    });
  });

  it('should listen on a Unix socket, and give it up for TCP where FRAMEWORK_HOST or FRAMEWORK_PORT says so', () => {
    const file = writeConfig('listen: unix:/run/mono/framework.sock\n');
    expect(loadFrameworkConfig({ FRAMEWORK_CONFIG: file }).listen).toBe('unix:/run/mono/framework.sock');
    expect(loadFrameworkConfig({ FRAMEWORK_CONFIG: file, FRAMEWORK_PORT: '0' }).listen).toBe('127.0.0.1:0');
    expect(loadFrameworkConfig({ FRAMEWORK_CONFIG: file, FRAMEWORK_HOST: '::' }).listen).toBe('[::]:50061');
    expect(loadFrameworkConfig({ FRAMEWORK_LISTEN: 'unix:/tmp/f.sock' }).listen).toBe('unix:/tmp/f.sock');
    // An explicit address wins over the image's FRAMEWORK_HOST/FRAMEWORK_PORT, and over those a worker inherits.
    expect(loadFrameworkConfig({ FRAMEWORK_LISTEN: '127.0.0.1:7000', FRAMEWORK_PORT: '0' }).listen).toBe(
      '127.0.0.1:7000',
    );
  });

  it('should host the applications of the file, the default one first, each with its variables', () => {
    const file = writeConfig(`
app: { module: examples/express-demo/dist/index.cjs, env: { MODE: demo } }
applications:
  - name: fetch
    module: examples/fetch-demo/dist/index.cjs
    env: { GREETING: hi, RETRIES: 3, VERBOSE: true }
  - { name: plain, module: "examples/tsgi-demo/dist/index.cjs:application:tsgi" }
`);
    expect(loadFrameworkConfig({ FRAMEWORK_CONFIG: file }).applications).toEqual([
      { name: 'default', module: 'examples/express-demo/dist/index.cjs', env: { MODE: 'demo' } },
      {
        name: 'fetch',
        module: 'examples/fetch-demo/dist/index.cjs',
        env: { GREETING: 'hi', RETRIES: '3', VERBOSE: 'true' },
      },
      { name: 'plain', module: 'examples/tsgi-demo/dist/index.cjs:application:tsgi', env: {} },
    ]);
  });

  it('should let FRAMEWORK_APP replace the default module and keep its variables', () => {
    const file = writeConfig('app: { module: a.cjs, env: { MODE: demo } }\n');
    expect(loadFrameworkConfig({ FRAMEWORK_CONFIG: file, FRAMEWORK_APP: 'b.cjs:handler:fetch' }).applications).toEqual([
      { name: 'default', module: 'b.cjs:handler:fetch', env: { MODE: 'demo' } },
    ]);
  });

  it('should name every mistake in the applications at once', () => {
    const file = writeConfig(`
applications:
  - { name: Fetch, module: a.cjs }
  - { name: two, module: "a.cjs:x:flask" }
  - { name: three, module: a.cjs, env: { PATH_INFO: /x, HTTP_HOST: h, "bad name": 1 } }
  - { name: three, module: b.cjs }
`);
    let message = '';
    try {
      loadFrameworkConfig({ FRAMEWORK_CONFIG: file });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('applications.0.name: an application name: a-z, 0-9, -');
    expect(message).toContain(
      'applications.1.module: "a.cjs:x:flask": the kind is express, fetch or tsgi, not "flask"',
    );
    expect(message).toContain('applications.2.env.PATH_INFO: a CGI variable of the environ');
    expect(message).toContain('applications.2.env.HTTP_HOST: a CGI variable of the environ');
    expect(message).toContain('applications.2.env.bad name: a variable name: letters, digits and _');
  });

  it('should refuse two applications of one name, and one named "default"', () => {
    expect(() =>
      loadFrameworkConfig({
        FRAMEWORK_CONFIG: writeConfig('applications: [{ name: a, module: a.cjs }, { name: a, module: b.cjs }]\n'),
      }),
    ).toThrow('two applications have the same name');
    expect(() =>
      loadFrameworkConfig({ FRAMEWORK_CONFIG: writeConfig('applications: [{ name: default, module: a.cjs }]\n') }),
    ).toThrow('"default" is the name of the default application');
  });

  it('should take its limits from the file, the variables over them', () => {
    const file = writeConfig('limits: { headers: 8KiB, body: 64KiB }\n');
    expect(loadFrameworkConfig({ FRAMEWORK_CONFIG: file }).limits).toEqual({ headerBytes: 8_192, bodyBytes: 65_536 });
    expect(loadFrameworkConfig({ FRAMEWORK_CONFIG: file, FRAMEWORK_MAX_BODY_BYTES: '0' }).limits).toEqual({
      headerBytes: 8_192,
      bodyBytes: 0,
    });
  });

  it('should refuse recycling without a master', () => {
    expect(() => loadFrameworkConfig({ FRAMEWORK_MASTER: 'false', FRAMEWORK_MAX_REQUESTS: '1000' })).toThrow(
      'reloads (reload.watch, reload.maxRequests, reload.maxResident) need master: true',
    );
    expect(loadFrameworkConfig({ FRAMEWORK_RELOAD_ON_RSS: '512' }).reload.maxResidentBytes).toBe(512 * 1_048_576);
  });

  it('should document every variable in the README', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    for (const { name, default: fallback } of describeEnv(frameworkEnvSchema)) {
      expect(readme, name).toContain(`| \`${name}\` | \`${fallback}\` |`);
    }
  });
});
