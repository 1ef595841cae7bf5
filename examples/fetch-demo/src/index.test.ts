import { fromFetch } from '@mono/tsgi';
import { invoke } from '@mono/tsgi/testing';
import { describe, expect, it } from 'vitest';
import { fetch } from './index';

const application = fromFetch(fetch);

describe('fetch-demo', () => {
  it('should answer /hello with Hello World!', async () => {
    const res = invoke(application, { uri: '/hello' });
    await res.done;
    expect(res.status).toBe(200);
    expect(res.body).toBe('Hello World!');
  });

  it('should echo the body with its Content-Type', async () => {
    const res = invoke(application, {
      method: 'POST',
      uri: '/echo',
      headers: [['Content-Type', 'text/x-test']],
      body: [Buffer.from('ab'), Buffer.from('cdef')],
    });
    await res.done;
    expect(res.body).toBe('abcdef');
    expect(res.headers).toContainEqual(['content-type', 'text/x-test']);
  });

  it('should see the path below its mount point and show the environ', async () => {
    const res = invoke(application, { uri: '/fetch/environ', scriptName: '/fetch' });
    await res.done;
    expect(JSON.parse(res.body)).toMatchObject({ SCRIPT_NAME: '/fetch', PATH_INFO: '/environ' });
  });

  it('should answer 404 elsewhere', async () => {
    const res = invoke(application, { uri: '/nowhere' });
    await res.done;
    expect(res.status).toBe(404);
  });
});
