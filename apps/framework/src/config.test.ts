import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEnv } from '@mono/config';
import { describe, expect, it } from 'vitest';
import { frameworkEnvSchema, loadFrameworkConfig } from './config';

describe('loadFrameworkConfig', () => {
  it('should default to 127.0.0.1:50061 and the demo app', () => {
    expect(loadFrameworkConfig({})).toMatchObject({
      host: '127.0.0.1',
      port: 50061,
      appModule: undefined,
      multiprocess: false,
    });
  });

  it('should document every variable in the README', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    for (const { name, default: fallback } of describeEnv(frameworkEnvSchema)) {
      expect(readme, name).toContain(`| \`${name}\` | \`${fallback}\` |`);
    }
  });
});
