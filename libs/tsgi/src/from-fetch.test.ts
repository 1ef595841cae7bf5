import { describe, expect, it } from 'vitest';
import { fromFetch } from './from-fetch';
import { invoke } from './testing';

describe('fromFetch', () => {
  it('should build the Request from the environ, below the mount point', async () => {
    let seen: Record<string, unknown> = {};
    const app = fromFetch(async (request, environ) => {
      seen = {
        url: request.url,
        method: request.method,
        accept: request.headers.get('accept'),
        body: await request.text(),
        scriptName: environ.SCRIPT_NAME,
      };
      return new Response('ok');
    });
    const recording = invoke(app, {
      method: 'POST',
      uri: '/app/items?q=1',
      scriptName: '/app',
      headers: [
        ['Host', 'example.test'],
        ['Accept', 'text/plain'],
        ['Content-Length', '5'],
      ],
      body: [Buffer.from('he'), Buffer.from('llo')],
    });
    await recording.done;
    expect(seen).toEqual({
      url: 'http://example.test/items?q=1',
      method: 'POST',
      accept: 'text/plain',
      body: 'hello',
      scriptName: '/app',
    });
  });

  it('should answer with the Response status, headers (each Set-Cookie apart) and streamed body', async () => {
    const app = fromFetch(() => {
      const headers = new Headers({ 'Content-Type': 'text/plain' });
      headers.append('Set-Cookie', 'a=1');
      headers.append('Set-Cookie', 'b=2');
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(Buffer.from('one '));
          controller.enqueue(Buffer.from('two'));
          controller.close();
        },
      });
      return new Response(body, { status: 201, headers });
    });
    const recording = invoke(app);
    await recording.done;
    expect(recording.status).toBe(201);
    expect(recording.headers).toEqual([
      ['content-type', 'text/plain'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
    expect(recording.body).toBe('one two');
  });

  it('should abort request.signal when the client goes away', async () => {
    let called!: () => void;
    const handling = new Promise<void>((resolve) => (called = resolve));
    let aborted = false;
    const app = fromFetch(async (request) => {
      const abort = new Promise((resolve) => request.signal.addEventListener('abort', resolve));
      called();
      await abort;
      aborted = request.signal.aborted;
      return new Response('late');
    });
    const recording = invoke(app);
    await handling;
    recording.abort();
    await recording.done;
    expect(aborted).toBe(true);
  });
});
