import { describe, expect, it } from 'vitest';
import {
  forwardingFrameworkBoundary,
  forwardingGatewayBoundary,
  frameworkBoundary,
  gatewayBoundary,
} from './boundaries';
import { FrameworkServiceService } from './generated/mono/framework/v1/framework';
import { GatewayServiceService } from './generated/mono/gateway/v1/gateway';

describe('boundaries', () => {
  it('should carry an HTTP request with repeated headers in order, its deadline and trace context', () => {
    const batch = {
      frames: [
        {
          id: 7,
          call: {
            headTimeoutMs: 1500,
            idleTimeoutMs: 60_000,
            traceContext: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
          },
          head: {
            method: 'GET',
            target: '/environ?a=%20b&a=c',
            protocol: 'HTTP/1.1',
            scheme: 'http',
            headers: [
              { name: 'X-Rep', value: 'first' },
              { name: 'x-rep', value: 'second' },
            ],
            client: { address: '127.0.0.1', port: 5000 },
            server: { address: '127.0.0.1', port: 8080 },
            requestId: 'abc',
            bodyLengthUnknown: true,
          },
          data: new Uint8Array([1, 2, 3]),
          end: true,
          cancel: false,
          credit: 0,
        },
      ],
    };
    const decoded = gatewayBoundary.deserializeRequest(gatewayBoundary.serializeRequest(batch));
    expect(decoded.frames[0]?.head).toEqual(batch.frames[0]?.head);
    expect(decoded.frames[0]?.call).toEqual(batch.frames[0]?.call);
    expect(Buffer.from(decoded.frames[0]?.data ?? [])).toEqual(Buffer.from([1, 2, 3]));
    expect(decoded.frames[0]?.end).toBe(true);
  });

  it('should carry replies with head, data, end, failure, credit, accepted and goaway', () => {
    const reply = {
      goaway: true,
      frames: [
        {
          id: 1,
          head: { status: 200, reason: 'OK', headers: [{ name: 'A', value: 'b' }] },
          data: Buffer.from('hi'),
          end: true,
          credit: 0,
          accepted: false,
        },
        {
          id: 2,
          accepted: true,
          data: new Uint8Array(0),
          end: false,
          credit: 4096,
          failure: { status: 14, code: 'GW_ERR_FRAMEWORK_UNAVAILABLE', message: 'm', notAccepted: true },
        },
      ],
    };
    const decoded = frameworkBoundary.deserializeReply(frameworkBoundary.serializeReply(reply));
    expect(decoded.frames[0]?.head).toEqual(reply.frames[0]?.head);
    expect(Buffer.from(decoded.frames[0]?.data ?? []).toString()).toBe('hi');
    expect(decoded.frames[1]).toMatchObject({ id: 2, credit: 4096, accepted: true, failure: reply.frames[1]?.failure });
    expect(decoded.goaway).toBe(true);
  });

  it('should serve the Exchange method of the service the .proto declares for each boundary', () => {
    for (const [boundary, generated] of [
      [gatewayBoundary, GatewayServiceService.exchange],
      [frameworkBoundary, FrameworkServiceService.exchange],
      [forwardingGatewayBoundary, GatewayServiceService.exchange],
      [forwardingFrameworkBoundary, FrameworkServiceService.exchange],
    ] as const) {
      const { path, requestStream, responseStream } = boundary.definition['Exchange'] ?? {};
      expect({ path, requestStream, responseStream }).toEqual({
        path: generated.path,
        requestStream: generated.requestStream,
        responseStream: generated.responseStream,
      });
      expect(boundary.path).toBe(generated.path);
    }
  });
});
