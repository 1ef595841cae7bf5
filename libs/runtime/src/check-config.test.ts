import { count, loadConfig, port, type Env } from '@mono/config';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { checkConfig } from './check-config';

const ownSchema = v.object({ SVC_PORT: port(8080, 'the port'), SVC_LIMIT: count(10, 'a limit', { min: 1 }) });
const otherSchema = v.object({ OTHER_DELAY: count(500, 'a delay') });
const own = { schema: ownSchema, load: (env: Env) => loadConfig('svc', ownSchema, env) };
const other = { schema: otherSchema, load: (env: Env) => loadConfig('other', otherSchema, env) };

describe('checkConfig', () => {
  it('should list the effective value and source of every variable, own first, and the check note', async () => {
    const report = await checkConfig('SVC_', [own, other], { SVC_PORT: '9000' }, () => 'application: loaded');
    expect(report.problems).toEqual([]);
    expect(report.effective).toEqual([
      'SVC_PORT=9000    # environment',
      'SVC_LIMIT=10     # default',
      'OTHER_DELAY=500  # default',
      '# application: loaded',
    ]);
  });

  it('should collect every problem: own, the others, unknown variables and the check', async () => {
    const report = await checkConfig(
      'SVC_',
      [own, other],
      { SVC_PORT: 'x', SVC_LIMIT: '0', OTHER_DELAY: '-1', SVC_LIMT: '5' },
      () => {
        throw new Error('never reached: the check needs a valid configuration');
      },
    );
    expect(report.problems).toEqual([
      expect.stringMatching(/^SVC_PORT: /),
      expect.stringMatching(/^SVC_LIMIT: /),
      expect.stringMatching(/^OTHER_DELAY: /),
      'SVC_LIMT: unknown variable (did you mean SVC_LIMIT?)',
    ]);
  });

  it("should report the check's failure as a problem once the variables are valid", async () => {
    const report = await checkConfig('SVC_', [own], {}, () => {
      throw new Error('SVC_APP: cannot load it');
    });
    expect(report.problems).toEqual(['SVC_APP: cannot load it']);
  });

  it('should print the names of headers but not their values, which are credentials', async () => {
    const schema = v.object({ SVC_HEADERS: v.optional(v.string()) });
    const withHeaders = { schema, load: (env: Env) => loadConfig('svc', schema, env) };
    const report = await checkConfig('SVC_', [withHeaders], { SVC_HEADERS: 'authorization=Bearer abc, x-team=a' });
    expect(report.effective).toEqual(['SVC_HEADERS=authorization=(redacted),x-team=(redacted)  # environment']);
  });

  it('should pass the check the configuration it loaded', async () => {
    let seen: unknown;
    await checkConfig('SVC_', [own], { SVC_LIMIT: '3' }, (config) => {
      seen = config;
    });
    expect(seen).toEqual({ SVC_PORT: 8080, SVC_LIMIT: 3 });
  });
});
