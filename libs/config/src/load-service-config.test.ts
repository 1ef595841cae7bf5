import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error';
import { addresses, count } from './env-types';
import { duration } from './file-types';
import { loadServiceConfig, type ServiceConfigSpec } from './load-service-config';

const fileSchema = v.pipe(
  v.strictObject({
    timeout: duration(60_000),
    pool: v.optional(v.strictObject({ servers: v.optional(v.array(v.string()), ['127.0.0.1:1']) }), {}),
    locations: v.optional(v.array(v.strictObject({ path: v.string(), timeout: v.optional(duration()) })), []),
  }),
  v.transform((file) => ({
    ...file,
    locations: file.locations.map((l) => ({ path: l.path, timeout: l.timeout ?? file.timeout })),
  })),
);
const envSchema = v.object({
  SVC_TIMEOUT_MS: count(60_000, 'timeout'),
  SVC_SERVERS: addresses('127.0.0.1:1', 'servers'),
});
const spec: ServiceConfigSpec<typeof fileSchema, typeof envSchema> = {
  service: 'svc',
  file: fileSchema,
  env: envSchema,
  applyEnv(document, set) {
    if (set.SVC_TIMEOUT_MS !== undefined) document['timeout'] = set.SVC_TIMEOUT_MS;
    if (set.SVC_SERVERS !== undefined) document['pool'] = { ...(document['pool'] as object), servers: set.SVC_SERVERS };
  },
};

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'svc-config-')), 'svc.yaml');
  writeFileSync(path, text);
  return path;
}

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadServiceConfig', () => {
  it('should run on defaults without a file', () => {
    const config = loadServiceConfig(spec, {});
    expect(config).toEqual({ timeout: 60_000, pool: { servers: ['127.0.0.1:1'] }, locations: [] });
  });

  it('should read the file named by <SERVICE>_CONFIG, with units', () => {
    const path = file('timeout: 5s\nlocations:\n  - path: /a\n  - path: /b\n    timeout: 250ms\n');
    const config = loadServiceConfig(spec, { SVC_CONFIG: path });
    expect(config.locations).toEqual([
      { path: '/a', timeout: 5_000 },
      { path: '/b', timeout: 250 },
    ]);
  });

  it("should let a variable override the file's service-wide value but not a location's own", () => {
    const path = file('timeout: 5s\npool: { servers: [x:1] }\nlocations: [{ path: /a }, { path: /b, timeout: 1s }]\n');
    const config = loadServiceConfig(spec, { SVC_CONFIG: path, SVC_TIMEOUT_MS: '30000', SVC_SERVERS: 'y:2,z:3' });
    expect(config.timeout).toBe(30_000);
    expect(config.pool.servers).toEqual(['y:2', 'z:3']);
    expect(config.locations).toEqual([
      { path: '/a', timeout: 30_000 },
      { path: '/b', timeout: 1_000 },
    ]);
  });

  it('should list every problem of the file at once, each with its path', () => {
    const path = file('timeout: soon\ncolour: blue\nlocations: [{ path: /a, timeout: 3 parsecs }]\n');
    const problems = problemsOf(() => loadServiceConfig(spec, { SVC_CONFIG: path }));
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/svc\.yaml: timeout: expected a duration/);
    expect(problems.join('\n')).toMatch(/svc\.yaml: colour: /);
    expect(problems.join('\n')).toMatch(/svc\.yaml: locations\.0\.timeout: expected a duration/);
  });

  it('should report bad variables and a bad file together', () => {
    const problems = problemsOf(() =>
      loadServiceConfig(spec, { SVC_CONFIG: file('a: [1,\n b'), SVC_TIMEOUT_MS: 'ten', SVC_SERVERS: 'nohost' }),
    );
    expect(problems.map((p) => p.split(':')[0])).toEqual(['svc.yaml', 'SVC_TIMEOUT_MS', 'SVC_SERVERS']);
  });

  it('should name a file that cannot be read', () => {
    expect(problemsOf(() => loadServiceConfig(spec, { SVC_CONFIG: '/no/such/svc.yaml' }))).toEqual([
      'SVC_CONFIG: cannot read /no/such/svc.yaml: ENOENT',
    ]);
  });

  it('should freeze the result', () => {
    expect(Object.isFrozen(loadServiceConfig(spec, { SVC_SERVERS: 'a:1' }).pool.servers)).toBe(true);
  });
});
