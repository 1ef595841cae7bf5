import { describe, expect, it } from 'vitest';
import { ATTRIBUTE_REGISTRY } from './attributes';
import { semconvKeys } from './semconv-keys';

describe('semconvKeys', () => {
  it('should tell current keys from deprecated ones', () => {
    const { current, deprecated } = semconvKeys();
    for (const key of ['rpc.system.name', 'rpc.method', 'rpc.status_code', 'http.request.method', 'service.name'])
      expect(current.has(key), key).toBe(true);
    for (const key of ['rpc.system', 'rpc.service', 'rpc.grpc.status_code', 'http.method'])
      expect(deprecated.has(key), key).toBe(true);
  });
});

describe('ATTRIBUTE_REGISTRY', () => {
  it('should define only keys the conventions do not already have, and list the deprecated ones as such', () => {
    const { current, deprecated } = semconvKeys();
    for (const [key, entry] of Object.entries(ATTRIBUTE_REGISTRY)) {
      expect(current.has(key), `${key} is a current semconv key: use it from the conventions`).toBe(false);
      expect(deprecated.has(key), `${key}: origin`).toBe(entry.origin === 'deprecated');
      if (entry.origin === 'mono') expect(key.startsWith('mono.'), key).toBe(true);
    }
  });
});
