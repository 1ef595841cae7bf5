import { afterEach, describe, expect, it } from 'vitest';
import { grpcAttributes, grpcStatusAttributes, setRpcSemconvDup } from './rpc-attributes';

describe('grpcAttributes', () => {
  afterEach(() => setRpcSemconvDup(false));

  it('should name the system and the fully-qualified method, and nothing deprecated by default', () => {
    expect(grpcAttributes('mono.gateway.v1.GatewayService', 'Exchange')).toEqual({
      'rpc.system.name': 'grpc',
      'rpc.method': 'mono.gateway.v1.GatewayService/Exchange',
    });
    expect(grpcStatusAttributes(0)).toEqual({ 'rpc.status_code': 'OK' });
    expect(grpcStatusAttributes(14)).toEqual({ 'rpc.status_code': 'UNAVAILABLE' });
  });

  it('should add the deprecated keys beside the current ones with rpc/dup', () => {
    setRpcSemconvDup(true);
    expect(grpcAttributes('mono.framework.v1.FrameworkService', 'Exchange')).toEqual({
      'rpc.system.name': 'grpc',
      'rpc.method': 'mono.framework.v1.FrameworkService/Exchange',
      'rpc.system': 'grpc',
      'rpc.service': 'mono.framework.v1.FrameworkService',
    });
    expect(grpcStatusAttributes(4)).toEqual({ 'rpc.status_code': 'DEADLINE_EXCEEDED', 'rpc.grpc.status_code': 4 });
  });

  it('should spell a code outside the gRPC list as its number', () => {
    expect(grpcStatusAttributes(99)).toEqual({ 'rpc.status_code': '99' });
  });
});
