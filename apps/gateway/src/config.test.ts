import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, describeEnv } from '@mono/config';
import { describe, expect, it } from 'vitest';
import { gatewayEnvSchema, loadGatewayConfig } from './config';

describe('loadGatewayConfig', () => {
  it('should default to the documented addresses and a root mount', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 50051, framework: '127.0.0.1:50061', mounts: [''] });
  });

  it('should sort mounts longest first and map "/" to the root', () => {
    expect(loadGatewayConfig({ GATEWAY_MOUNTS: '/, /app, /app/admin' }).mounts).toEqual(['/app/admin', '/app', '']);
  });

  it('should list every bad variable at once', () => {
    expect(() =>
      loadGatewayConfig({ GATEWAY_PORT: 'x', GATEWAY_MOUNTS: 'app/', GATEWAY_MAX_CONCURRENCY: '0' }),
    ).toThrow(
      expect.objectContaining({
        problems: [
          expect.stringMatching(/^GATEWAY_PORT/),
          expect.stringMatching(/^GATEWAY_MOUNTS/),
          expect.stringMatching(/^GATEWAY_MAX_CONCURRENCY/),
        ],
      }),
    );
    expect(() => loadGatewayConfig({ GATEWAY_PORT: 'x' })).toThrow(ConfigError);
  });

  it('should document every variable in the README', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    for (const { name, default: fallback } of describeEnv(gatewayEnvSchema)) {
      expect(readme, name).toContain(`| \`${name}\` | \`${fallback}\` |`);
    }
  });
});
