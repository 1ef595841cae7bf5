import { invoke } from '@mono/tsgi/testing';
import { describe, expect, it } from 'vitest';
import { application } from './index';

describe('tsgi-demo', () => {
  it('should answer /hello with Hello World! and its length', async () => {
    const res = invoke(application, { uri: '/hello' });
    await res.done;
    expect(res.status).toBe(200);
    expect(res.body).toBe('Hello World!');
    expect(res.headers).toContainEqual(['Content-Length', '12']);
  });

  it('should stream the body back with its Content-Type and Content-Length', async () => {
    const res = invoke(application, {
      method: 'POST',
      uri: '/echo',
      headers: [
        ['Content-Type', 'text/x-test'],
        ['Content-Length', '6'],
      ],
      body: [Buffer.from('ab'), Buffer.from('cdef')],
    });
    await res.done;
    expect(res.body).toBe('abcdef');
    expect(res.headers).toEqual([
      ['Content-Type', 'text/x-test'],
      ['Content-Length', '6'],
    ]);
  });

  it('should see the path below its mount point and show the environ', async () => {
    const res = invoke(application, { uri: '/plain/environ', scriptName: '/plain' });
    await res.done;
    expect(JSON.parse(res.body)).toMatchObject({ SCRIPT_NAME: '/plain', PATH_INFO: '/environ' });
  });

  it('should answer 404 elsewhere', async () => {
    const res = invoke(application, { uri: '/nowhere' });
    await res.done;
    expect(res.status).toBe(404);
  });
});
