import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { effectiveEnv } from './effective-env';
import { addresses, flag, port, text } from './env-types';

const schema = v.object({
  PORT: port(8080, 'the port'),
  VERBOSE: flag(false, 'talk more'),
  UPSTREAMS: addresses('127.0.0.1:1', 'where to go'),
  APP: text(undefined, 'a module'),
});

describe('effectiveEnv', () => {
  it('should give every variable its parsed value and where it came from', () => {
    expect(effectiveEnv(schema, { PORT: '9000', VERBOSE: 'yes', UPSTREAMS: ' a:1 , b:2', OTHER: 'x' })).toEqual([
      { name: 'PORT', value: '9000', source: 'environment' },
      { name: 'VERBOSE', value: 'true', source: 'environment' },
      { name: 'UPSTREAMS', value: 'a:1,b:2', source: 'environment' },
      { name: 'APP', value: '', source: 'default' },
    ]);
  });

  it('should show defaults, an empty variable counting as unset', () => {
    expect(effectiveEnv(schema, { PORT: '' }).slice(0, 3)).toEqual([
      { name: 'PORT', value: '8080', source: 'default' },
      { name: 'VERBOSE', value: 'false', source: 'default' },
      { name: 'UPSTREAMS', value: '127.0.0.1:1', source: 'default' },
    ]);
  });

  it('should show a value that does not parse as it was given', () => {
    expect(effectiveEnv(schema, { PORT: 'http' })[0]).toEqual({ name: 'PORT', value: 'http', source: 'environment' });
  });
});
