import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeEnv } from '@mono/config';
import { describe, expect, it } from 'vitest';
import { gatewayEnvSchema, loadGatewayConfig } from './config';

const SHIPPED = join(__dirname, '..', '..', '..', 'infra', 'config', 'gateway.yaml');

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'gateway-config-')), 'gateway.yaml');
  writeFileSync(path, text);
  return path;
}

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadGatewayConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadGatewayConfig', () => {
  it('should default to the documented addresses, one framework pool and a root mount', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({ listen: '127.0.0.1:50051', admin: '127.0.0.1:9051', shutdownGraceMs: 30_000 });
    expect(config.pools['framework']?.servers).toEqual(['127.0.0.1:50061']);
    expect(config.mounts).toEqual([
      { path: '', pool: 'framework', app: '', limits: { maxInFlight: 1024, maxQueue: 1024, maxWaitMs: 1_000 } },
    ]);
  });

  it('should read the shipped file', () => {
    const config = loadGatewayConfig({ GATEWAY_CONFIG: SHIPPED });
    expect(config.mounts.map((m) => [m.path, m.app])).toEqual([
      ['/fetch', 'fetch'],
      ['/plain', 'plain'],
      ['', ''],
    ]);
    expect(config.timeoutMs).toBe(60_000);
  });

  it('should listen on a Unix socket, and give it up for TCP where GATEWAY_HOST or GATEWAY_PORT says so', () => {
    const path = file(
      'listen: unix:/run/mono/gateway.sock\npools: { framework: { servers: [unix:/run/mono/fw.sock] } }\n',
    );
    expect(loadGatewayConfig({ GATEWAY_CONFIG: path })).toMatchObject({ listen: 'unix:/run/mono/gateway.sock' });
    expect(loadGatewayConfig({ GATEWAY_CONFIG: path }).pools['framework']?.servers).toEqual(['unix:/run/mono/fw.sock']);
    expect(loadGatewayConfig({ GATEWAY_CONFIG: path, GATEWAY_PORT: '0' }).listen).toBe('127.0.0.1:0');
    expect(loadGatewayConfig({ GATEWAY_CONFIG: path, GATEWAY_HOST: '0.0.0.0' }).listen).toBe('0.0.0.0:50051');
    expect(loadGatewayConfig({ GATEWAY_LISTEN: 'unix:/tmp/g.sock' }).listen).toBe('unix:/tmp/g.sock');
    // An explicit address wins over the image's GATEWAY_HOST/GATEWAY_PORT (and over a master's inherited ones).
    expect(loadGatewayConfig({ GATEWAY_LISTEN: '[::1]:7000', GATEWAY_PORT: '7001' }).listen).toBe('[::1]:7000');
    expect(loadGatewayConfig({ GATEWAY_FRAMEWORK: 'unix:/tmp/f.sock' }).pools['framework']?.servers).toEqual([
      'unix:/tmp/f.sock',
    ]);
    expect(problems({ GATEWAY_LISTEN: 'unix:relative.sock' })).toEqual([
      'GATEWAY_LISTEN: expected host:port, [v6]:port or unix:/path',
    ]);
  });

  it("should name a mount's application as the framework hosts it", () => {
    const path = file('mounts: [{ path: /, app: Fetch }]\n');
    expect(() => loadGatewayConfig({ GATEWAY_CONFIG: path })).toThrow(
      'mounts.0.app: an application name, as the framework hosts it: a-z, 0-9, -',
    );
  });

  it('should sort mounts longest first, map "/" to the root, and let the variables make the simple case', () => {
    const config = loadGatewayConfig({ GATEWAY_MOUNTS: '/, /app, /app/admin', GATEWAY_FRAMEWORK: 'a:1,b:2' });
    expect(config.mounts.map((m) => m.path)).toEqual(['/app/admin', '/app', '']);
    expect(config.pools['framework']?.servers).toEqual(['a:1', 'b:2']);
  });

  it("should let variables override the file's service-wide limits, never a mount's own", () => {
    const path = file(
      [
        'limits: { inFlight: 10, queue: 5 }',
        'mounts:',
        '  - { path: /, limits: { inFlight: 2 } }',
        '  - { path: /api }',
        'timeouts: { head: 5s, idle: 500ms }',
      ].join('\n'),
    );
    const config = loadGatewayConfig({
      GATEWAY_CONFIG: path,
      GATEWAY_MAX_CONCURRENCY: '64',
      GATEWAY_TIMEOUT_MS: '900',
    });
    expect(config.mounts.map((m) => [m.path, m.limits.maxInFlight, m.limits.maxQueue])).toEqual([
      ['/api', 64, 5],
      ['', 2, 5],
    ]);
    expect([config.timeoutMs, config.idleTimeoutMs]).toEqual([900, 500]);
  });

  it('should take the head and body limits for the whole gateway, never per mount, the variables over the file', () => {
    expect(loadGatewayConfig({})).toMatchObject({ maxHeaderBytes: 65_536, maxBodyBytes: 0 });
    const path = file('limits: { headers: 8KiB, body: 1MiB }\n');
    expect(loadGatewayConfig({ GATEWAY_CONFIG: path, GATEWAY_MAX_BODY_BYTES: '0' })).toMatchObject({
      maxHeaderBytes: 8_192,
      maxBodyBytes: 0,
    });
    expect(problems({ GATEWAY_CONFIG: file('mounts: [{ path: /, limits: { body: 1MiB } }]\n') }).join('\n')).toMatch(
      /mounts\.0\.limits\.body/,
    );
  });

  it('should list every problem of the file and the variables at once', () => {
    const path = file(
      [
        'pools: { framework: { servers: [nohost] } }',
        'mounts: [{ path: /app/, pool: frameworks }]',
        'timeouts: { head: soon }',
        'colour: blue',
      ].join('\n'),
    );
    const found = problems({ GATEWAY_CONFIG: path, GATEWAY_PORT: 'x' });
    expect(found).toHaveLength(5);
    expect(found[0]).toMatch(/^GATEWAY_PORT/);
    const inFile = found.slice(1);
    expect(inFile.join('\n')).toMatch(/gateway\.yaml: pools\.framework\.servers/);
    expect(inFile.join('\n')).toMatch(/gateway\.yaml: mounts\.0\.path/);
    expect(inFile.join('\n')).toMatch(/gateway\.yaml: timeouts\.head/);
    expect(inFile.join('\n')).toMatch(/gateway\.yaml: colour/);
  });

  it('should refuse a mount on a pool that is not defined', () => {
    expect(problems({ GATEWAY_CONFIG: file('mounts: [{ path: /, pool: elsewhere }]') }).join('\n')).toMatch(
      /a mount names a pool that pools does not define/,
    );
  });

  it('should document every variable in the README', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    for (const { name, default: fallback } of describeEnv(gatewayEnvSchema)) {
      expect(readme, name).toContain(`| \`${name}\` | \`${fallback}\` |`);
    }
  });
});
