import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEnv } from '@mono/config';
import { describe, expect, it } from 'vitest';
import { edgeEnvSchema, loadEdgeConfig } from './config';

describe('loadEdgeConfig', () => {
  it('should default to port 8080 in front of the gateway on 50051', () => {
    expect(loadEdgeConfig({})).toMatchObject({ host: '127.0.0.1', port: 8080, gateways: ['127.0.0.1:50051'] });
  });

  it('should list every bad variable at once', () => {
    expect(() => loadEdgeConfig({ EDGE_PORT: '99999', EDGE_GATEWAYS: 'nope', EDGE_ACCESS_LOG: 'perhaps' })).toThrow(
      expect.objectContaining({
        problems: [
          expect.stringMatching(/^EDGE_PORT/),
          expect.stringMatching(/^EDGE_GATEWAYS/),
          expect.stringMatching(/^EDGE_ACCESS_LOG/),
        ],
      }),
    );
  });

  it('should document every variable in the README', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    for (const { name, default: fallback } of describeEnv(edgeEnvSchema)) {
      expect(readme, name).toContain(`| \`${name}\` | \`${fallback}\` |`);
    }
  });
});
