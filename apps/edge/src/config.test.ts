import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError, describeEnv } from '@mono/config';
import { describe, expect, it } from 'vitest';
import { edgeEnvSchema, loadEdgeConfig } from './config';

const SHIPPED = join(__dirname, '..', '..', '..', 'infra', 'config', 'edge.yaml');

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'edge-config-')), 'edge.yaml');
  writeFileSync(path, text);
  return path;
}

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadEdgeConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadEdgeConfig', () => {
  it('should default to port 8080 in front of the gateway on 50051, a 1 MiB body and one location', () => {
    const config = loadEdgeConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, admin: '127.0.0.1:9080', shutdownGraceMs: 30_000 });
    expect(config.pools['gateways']?.servers).toEqual(['127.0.0.1:50051']);
    expect(config.locations).toEqual([
      {
        path: '/',
        exact: false,
        pool: 'gateways',
        redirect: undefined,
        responseHeaders: [],
        requestHeaders: [],
        maxBodyBytes: 1 << 20,
        bodyBufferBytes: 64 << 10,
        headTimeoutMs: 60_000,
        idleTimeoutMs: 60_000,
        limitSettings: {
          body: { setting: 'edge.yaml limits.body', variable: 'EDGE_MAX_BODY_BYTES' },
          head: { setting: 'edge.yaml timeouts.head', variable: 'EDGE_UPSTREAM_HEAD_TIMEOUT_MS' },
          idle: { setting: 'edge.yaml timeouts.idle', variable: 'EDGE_UPSTREAM_IDLE_TIMEOUT_MS' },
        },
      },
    ]);
    expect(config).toMatchObject({ serverNames: [], trustedProxies: [], serverTimingTo: [], accessLog: 'json' });
  });

  it('should read the shipped file, whose /echo streams a body of any size and whose /static/ is the demo root', () => {
    const config = loadEdgeConfig({ EDGE_CONFIG: SHIPPED });
    expect(config.locations.map((l) => [l.path, l.maxBodyBytes, l.bodyBufferBytes])).toEqual([
      ['/', 1 << 20, 64 << 10],
      ['/echo', 0, 0],
      ['/static/', 1 << 20, 64 << 10],
    ]);
    expect(config.locations[2]?.static).toEqual({
      root: join(__dirname, '..', '..', '..', 'infra', 'static'),
      alias: true,
      index: ['index.html'],
      precompressed: true,
    });
    expect(config.compression.encodings).toEqual(['zstd', 'br', 'gzip']);
  });

  it("should take a static location's directory relative to the file, and refuse one that is not there", () => {
    const path = file('locations:\n  - { path: /a/, root: . }\n  - { path: /b/, alias: missing, index: home.html }\n');
    expect(problems({ EDGE_CONFIG: path }).join('\n')).toMatch(/locations\.1: alias \S+ is not a directory/);
    const fine = file('locations:\n  - { path: /a/, root: ., index: home.html }\n');
    expect(loadEdgeConfig({ EDGE_CONFIG: fine }).locations[0]?.static).toMatchObject({
      root: dirname(fine),
      alias: false,
      index: ['home.html'],
    });
  });

  it('should refuse a location that is both a pool and a static directory', () => {
    const path = file('locations:\n  - { path: /a/, root: ., pool: gateways }\n');
    expect(problems({ EDGE_CONFIG: path }).join('\n')).toMatch(
      /locations\.0: a location is one of a pool, a redirect, a root or an alias/,
    );
  });

  it("should let variables override the file's service-wide values, never a location's own", () => {
    const path = file(
      [
        'limits: { body: 64KiB }',
        'timeouts: { head: 5s }',
        'locations:',
        '  - { path: / }',
        '  - { path: /upload, limits: { body: 10MiB }, timeouts: { head: 1s } }',
      ].join('\n'),
    );
    const config = loadEdgeConfig({
      EDGE_CONFIG: path,
      EDGE_MAX_BODY_BYTES: '1000',
      EDGE_UPSTREAM_HEAD_TIMEOUT_MS: '2000',
      EDGE_GATEWAYS: 'a:1,b:2',
    });
    expect(config.locations.map((l) => [l.path, l.maxBodyBytes, l.headTimeoutMs])).toEqual([
      ['/', 1000, 2000],
      ['/upload', 10 << 20, 1000],
    ]);
    // The messages about limits name where each is set: the location's own, or what it inherits.
    expect(config.locations.map((l) => [l.limitSettings.body.setting, l.limitSettings.head.variable])).toEqual([
      ['edge.yaml limits.body', 'EDGE_UPSTREAM_HEAD_TIMEOUT_MS'],
      ['edge.yaml locations[/upload].limits.body', ''],
    ]);
    expect(config.pools['gateways']?.servers).toEqual(['a:1', 'b:2']);
  });

  it('should run one process unless told, one per CPU with auto (the shipped file), and refuse a count out of range', () => {
    expect(loadEdgeConfig({}).workers).toBe(1);
    expect(loadEdgeConfig({ EDGE_CONFIG: SHIPPED }).workers).toBe(availableParallelism());
    expect(loadEdgeConfig({ EDGE_CONFIG: SHIPPED, EDGE_WORKERS: '3' }).workers).toBe(3);
    expect(loadEdgeConfig({ EDGE_CONFIG: file('workers: 2\n') }).workers).toBe(2);
    expect(problems({ EDGE_WORKERS: '0' })[0]).toMatch(/^EDGE_WORKERS: .*auto or 1 to 99/);
    expect(problems({ EDGE_CONFIG: file('workers: 0\n') })[0]).toMatch(/workers.*auto or 1 to 99/);
  });

  it('should list every bad variable and every mistake in the file at once', () => {
    const found = problems({
      EDGE_CONFIG: file('locations: [{ path: nope, pool: elsewhere }]\nclient: { headerTimeout: soon }\n'),
      EDGE_PORT: '99999',
      EDGE_GATEWAYS: 'nope',
      EDGE_ACCESS_LOG: 'perhaps',
    });
    expect(found.slice(0, 3).map((p) => p.split(':')[0])).toEqual(['EDGE_PORT', 'EDGE_GATEWAYS', 'EDGE_ACCESS_LOG']);
    expect(found.join('\n')).toMatch(/edge\.yaml: locations\.0\.path: a location path starts with "\/"/);
    expect(found.join('\n')).toMatch(/edge\.yaml: client\.headerTimeout: expected a duration/);
  });

  it('should check across settings even when the file has other mistakes', () => {
    const found = problems({
      EDGE_CONFIG: file(
        [
          'servers: [localhost, bad_host]',
          'accessLog: sometimes',
          'locations:',
          '  - { path: /, pool: elsewhere }',
          '  - { path: /, pool: gateways }',
          "  - { path: /old, pool: gateways, redirect: { to: 'https://x' } }",
        ].join('\n'),
      ),
    });
    expect(found).toEqual([
      expect.stringMatching(/^edge\.yaml: servers\.1: expected a host name/),
      'edge.yaml: accessLog: expected true, false, json or combined',
      'edge.yaml: locations.0: no pool elsewhere in pools',
      'edge.yaml: locations.1: another location has the path /',
      'edge.yaml: locations.2: a location is one of a pool, a redirect, a root or an alias',
    ]);
  });

  it('should document every variable in the README', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    for (const { name, default: fallback } of describeEnv(edgeEnvSchema)) {
      expect(readme, name).toContain(`| \`${name}\` | \`${fallback}\` |`);
    }
  });
});
