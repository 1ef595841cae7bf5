import { describe, expect, it } from 'vitest';
import { unknownVariables } from './unknown-variables';

const KNOWN = ['EDGE_PORT', 'EDGE_HOST', 'EDGE_MAX_BODY_BYTES', 'EDGE_MAX_HEADER_BYTES', 'EDGE_GATEWAYS'];

describe('unknownVariables', () => {
  it('should name a misspelt variable with the known name it most likely meant', () => {
    expect(unknownVariables({ EDGE_MAX_BODY_BYTE: '1' }, 'EDGE_', KNOWN)).toEqual([
      { name: 'EDGE_MAX_BODY_BYTE', suggestion: 'EDGE_MAX_BODY_BYTES' },
    ]);
    expect(unknownVariables({ EDGE_GATEWYAS: 'a:1' }, 'EDGE_', KNOWN)).toEqual([
      { name: 'EDGE_GATEWYAS', suggestion: 'EDGE_GATEWAYS' },
    ]);
  });

  it('should suggest nothing when no known name is close', () => {
    expect(unknownVariables({ EDGE_IMAGE: 'mono/edge' }, 'EDGE_', KNOWN)).toEqual([{ name: 'EDGE_IMAGE' }]);
  });

  it('should leave known variables, other prefixes and unset variables alone', () => {
    expect(
      unknownVariables(
        { EDGE_PORT: '1', GATEWAY_PORT: '2', PATH: '/bin', EDGE_UNSET: undefined, EDGEPORT: '3' },
        'EDGE_',
        KNOWN,
      ),
    ).toEqual([]);
  });

  it('should list several in name order', () => {
    expect(unknownVariables({ EDGE_Z: '1', EDGE_A: '1' }, 'EDGE_', KNOWN).map((u) => u.name)).toEqual([
      'EDGE_A',
      'EDGE_Z',
    ]);
  });
});
