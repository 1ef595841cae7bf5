import { invoke } from '@mono/tsgi/testing';
import { fromExpress } from '@mono/tsgi';
import { describe, expect, it } from 'vitest';
import { createDemoApp } from './demo-app';

const application = fromExpress(createDemoApp());

describe('createDemoApp', () => {
  it('should answer /hello with Hello World!', async () => {
    const res = invoke(application, { uri: '/hello' });
    await res.done;
    expect(res.status).toBe(200);
    expect(res.body).toBe('Hello World!');
  });

  it('should echo the body with its Content-Type and Content-Length', async () => {
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
    expect(res.headers).toEqual(
      expect.arrayContaining([
        ['Content-Type', 'text/x-test'],
        ['Content-Length', '6'],
      ]),
    );
  });

  it('should show the environ it was given, mount point included', async () => {
    const res = invoke(application, { uri: '/app/environ?x=1', scriptName: '/app' });
    await res.done;
    expect(JSON.parse(res.body)).toMatchObject({ SCRIPT_NAME: '/app', PATH_INFO: '/environ', QUERY_STRING: 'x=1' });
  });

  it('should answer /boom with a generic 500 and write the error to tsgi.errors', async () => {
    const res = invoke(application, { uri: '/boom' });
    await res.done;
    expect(res.status).toBe(500);
    expect(res.body).toBe('Internal Server Error');
  });
});
