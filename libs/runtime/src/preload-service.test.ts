import { ConfigError } from '@mono/config';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { heldTick } from './hold-tick-shape';
import { preloadService } from './preload-service';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('preloadService', () => {
  it('should hold the tick shape and start telemetry', () => {
    const start = vi.fn();
    preloadService(start, ['node', 'main.cjs']);
    expect(start).toHaveBeenCalledOnce();
    expect(heldTick()).toBeDefined();
  });

  it('should start nothing when the process only checks its configuration', () => {
    const start = vi.fn();
    preloadService(start, ['node', 'main.cjs', '--check-config']);
    expect(start).not.toHaveBeenCalled();
  });

  it('should end the process with status 2 and the message on stderr when a setting is refused', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    preloadService(() => {
      throw new ConfigError('edge', ['OTEL_TRACES_SAMPLER_ARG: not a number']);
    }, ['node', 'main.cjs']);
    expect(stderr).toHaveBeenCalledWith('edge: invalid configuration\n  - OTEL_TRACES_SAMPLER_ARG: not a number\n');
    expect(exit).toHaveBeenCalledWith(2);
  });

  it('should let any other error through', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    expect(() =>
      preloadService(() => {
        throw new TypeError('a bug');
      }, ['node', 'main.cjs']),
    ).toThrow('a bug');
    expect(exit).not.toHaveBeenCalled();
  });
});
