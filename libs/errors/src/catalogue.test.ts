import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogue, isErrorCode } from './catalogue';
import { GrpcStatus } from './grpc-status';

describe('catalogue', () => {
  it('should name every code <SERVICE>_ERR_<WHAT>', () => {
    for (const code of Object.keys(catalogue)) expect(code).toMatch(/^(EDGE|GW|FW|TRANSPORT)_ERR_[A-Z_]+$/);
  });

  it('should map every code to a gRPC status and an HTTP error status', () => {
    const statuses = new Set<number>(Object.values(GrpcStatus));
    for (const [code, spec] of Object.entries(catalogue)) {
      expect(statuses.has(spec.grpc), code).toBe(true);
      expect(spec.http, code).toBeGreaterThanOrEqual(400);
      expect(spec.http, code).toBeLessThan(600);
      expect(spec.title.length, code).toBeGreaterThan(0);
    }
  });

  it('should keep the causes apart that one gRPC status cannot tell apart', () => {
    expect(catalogue.EDGE_ERR_BODY_TOO_LARGE.http).toBe(413);
    expect(catalogue.EDGE_ERR_HEADERS_TOO_LARGE.http).toBe(431);
    expect(catalogue.GW_ERR_OVERLOADED.http).toBe(503);
    expect(catalogue.GW_ERR_FRAMEWORK_UNAVAILABLE.http).toBe(502);
    expect(catalogue.GW_ERR_SHUTTING_DOWN.http).toBe(503);
  });

  it('should be listed, code by code, in the README', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    for (const [code, spec] of Object.entries(catalogue)) {
      expect(readme, code).toMatch(new RegExp(`\\| \`${code}\` \\| ${spec.http} \\|`));
    }
  });

  it('should recognise its own codes only', () => {
    expect(isErrorCode('GW_ERR_OVERLOADED')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode('NOPE')).toBe(false);
  });
});
