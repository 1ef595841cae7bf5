import { forwardingGatewayBoundary, gatewayBoundary, type HttpRequest } from '@mono/contracts';
import { describe, expect, it } from 'vitest';
import { buildEnviron } from './build-environ';

function request(target: string, headers: Array<[string, string]> = [['Host', 'example.test:8080']]): HttpRequest {
  return {
    method: 'POST',
    target,
    protocol: 'HTTP/1.1',
    scheme: 'http',
    headers: headers.map(([name, value]) => ({ name, value })),
    client: { address: '198.51.100.4', port: 40000 },
    server: { address: '127.0.0.1', port: 8080 },
    requestId: 'rid',
    bodyLengthUnknown: false,
  };
}

/** The request as the gateway reads it: its header fields as the edge encoded them. */
function forwarded(q: HttpRequest) {
  const bytes = gatewayBoundary.serializeRequest({
    frames: [{ id: 1, head: q, data: Buffer.alloc(0), end: true, cancel: false, credit: 0 }],
  });
  const head = forwardingGatewayBoundary.deserializeRequest(bytes).frames[0]?.head;
  if (head === undefined) throw new Error('no head');
  return head;
}

describe('buildEnviron', () => {
  it('should split the path at the longest mount point into SCRIPT_NAME and PATH_INFO', () => {
    const mounts = ['/app/admin', '/app', ''];
    expect(buildEnviron(request('/app/admin/users'), mounts)).toMatchObject({
      scriptName: '/app/admin',
      pathInfo: '/users',
    });
    expect(buildEnviron(request('/app'), mounts)).toMatchObject({ scriptName: '/app', pathInfo: '' });
    expect(buildEnviron(request('/application'), mounts)).toMatchObject({ scriptName: '', pathInfo: '/application' });
  });

  it('should keep the query string as received and percent-decode the path', () => {
    const environ = buildEnviron(request('/environ/caf%C3%A9%20x?a=%20b&a=c'), ['']);
    expect(environ.pathInfo).toBe('/environ/café x');
    expect(environ.queryString).toBe('a=%20b&a=c');
    expect(environ.requestUri).toBe('/environ/caf%C3%A9%20x?a=%20b&a=c');
  });

  it('should decode bytes that are not UTF-8 one character per byte, as PEP 3333 does', () => {
    expect(buildEnviron(request('/%FF'), ['']).pathInfo).toBe('/\u00ff');
  });

  it('should refuse a broken percent-encoding or an unknown request-target form', () => {
    expect(() => buildEnviron(request('/bad%2'), [''])).toThrow(
      expect.objectContaining({ code: 'GW_ERR_BAD_REQUEST' }),
    );
    expect(() => buildEnviron(request('example.test:443'), [''])).toThrow(
      expect.objectContaining({ code: 'GW_ERR_BAD_REQUEST' }),
    );
  });

  it('should answer no mount as 404', () => {
    expect(() => buildEnviron(request('/elsewhere'), ['/app'])).toThrow(
      expect.objectContaining({ code: 'GW_ERR_NO_MOUNT' }),
    );
  });

  it('should take the path of an absolute-form target', () => {
    expect(buildEnviron(request('http://example.test/x?y'), [''])).toMatchObject({ pathInfo: '/x', queryString: 'y' });
  });

  it('should fill the CGI variables from the request as the edge received it', () => {
    const environ = buildEnviron(
      request('/', [
        ['Host', 'shop.example:8443'],
        ['Content-Type', 'text/plain'],
        ['Content-Length', '5'],
        ['X-Rep', 'a'],
        ['X-Rep', 'b'],
      ]),
      [''],
    );
    expect(environ).toMatchObject({
      requestMethod: 'POST',
      contentType: 'text/plain',
      contentLength: '5',
      serverName: 'shop.example',
      serverPort: '8080',
      serverProtocol: 'HTTP/1.1',
      remoteAddr: '198.51.100.4',
      remotePort: '40000',
      urlScheme: 'http',
      variables: { REQUEST_ID: 'rid' },
    });
    expect(environ.headers.filter((h) => h.name === 'X-Rep').map((h) => h.value)).toEqual(['a', 'b']);
  });

  it('should read the same variables from header fields as received, and hand the fields on as they are', () => {
    const q = request('/shop/cart', [
      ['host', ''],
      ['HOST', 'shop.example:8443'],
      ['content-TYPE', 'text/plain'],
      ['Content-Length', '5'],
      ['X-Rep', 'a'],
    ]);
    const decoded = buildEnviron(q, ['/shop', '']);
    const received = forwarded(q);
    const environ = buildEnviron(received, ['/shop', '']);
    expect({ ...environ, headers: environ.headers.list() }).toEqual(decoded);
    expect(environ.headers).toBe(received.headers);
  });
});
