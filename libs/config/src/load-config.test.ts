import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error';
import { describeEnv } from './describe-env';
import { addresses, count, flag, list, oneAddress, port } from './env-types';
import { loadConfig } from './load-config';

const schema = v.object({
  PORT: port(8080, 'the port'),
  LIMIT: count(10, 'a limit', { min: 1 }),
  VERBOSE: flag(false, 'talk more'),
  UPSTREAMS: addresses('127.0.0.1:1', 'where to go'),
  MOUNTS: list('/', 'mounts', /^\//, 'starts with /'),
});

describe('loadConfig', () => {
  it('should apply defaults and parse values', () => {
    const config = loadConfig('svc', schema, { PORT: '9000', VERBOSE: 'yes', UPSTREAMS: 'a:1, b:2' });
    expect(config).toEqual({ PORT: 9000, LIMIT: 10, VERBOSE: true, UPSTREAMS: ['a:1', 'b:2'], MOUNTS: ['/'] });
  });

  it('should treat an empty variable as unset', () => {
    expect(loadConfig('svc', schema, { PORT: '' }).PORT).toBe(8080);
  });

  it('should list every problem at once, each naming its variable', () => {
    let error: unknown;
    try {
      loadConfig('svc', schema, { PORT: '70000', LIMIT: '0', VERBOSE: 'maybe', UPSTREAMS: 'nohost', MOUNTS: 'x' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0])).toEqual(['PORT', 'LIMIT', 'VERBOSE', 'UPSTREAMS.0', 'MOUNTS.0']);
    expect((error as ConfigError).message).toContain('svc: invalid configuration');
  });

  it('should freeze the result', () => {
    const config = loadConfig('svc', schema, {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.UPSTREAMS)).toBe(true);
  });
});

describe('oneAddress', () => {
  const one = v.object({ TO: oneAddress('127.0.0.1:1', 'one upstream', 'one upstream only, for now') });

  it('should take one host:port, [v6]:port or unix:/path', () => {
    expect(loadConfig('svc', one, { TO: ' example:80 ' }).TO).toBe('example:80');
    expect(loadConfig('svc', one, { TO: '[::1]:80' }).TO).toBe('[::1]:80');
    expect(loadConfig('svc', one, { TO: 'unix:/run/mono/gateway.sock' }).TO).toBe('unix:/run/mono/gateway.sock');
    expect(loadConfig('svc', one, {}).TO).toBe('127.0.0.1:1');
  });

  it('should refuse a list with the reason it was given, and a malformed address', () => {
    expect(() => loadConfig('svc', one, { TO: 'a:1,b:2' })).toThrow(
      expect.objectContaining({ problems: ['TO: one upstream only, for now'] }),
    );
    for (const bad of ['a', 'unix:relative.sock', 'a:b'])
      expect(() => loadConfig('svc', one, { TO: bad })).toThrow(
        expect.objectContaining({ problems: ['TO: expected host:port, [v6]:port or unix:/path'] }),
      );
  });
});

describe('describeEnv', () => {
  it('should list name, default and description of every variable', () => {
    expect(describeEnv(schema)[0]).toEqual({ name: 'PORT', default: '8080', description: 'the port' });
    expect(describeEnv(schema).map((e) => e.name)).toEqual(['PORT', 'LIMIT', 'VERBOSE', 'UPSTREAMS', 'MOUNTS']);
  });
});
