import { execFile } from 'node:child_process';
import { GenericContainer, Wait } from 'testcontainers';
import { composeEnv, SUITE_LABEL } from '@mono/testing';
import { describe, expect, it } from 'vitest';

const env = composeEnv();
const IMAGES = {
  edge: env['IMAGE_EDGE'] as string,
  gateway: env['IMAGE_GATEWAY'] as string,
  framework: env['IMAGE_FRAMEWORK'] as string,
};

/** `docker run --rm [-e NAME=value…] <image> <args…>`: its exit code and output. */
function dockerRun(
  image: string,
  args: string[],
  variables: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const label = Object.entries(SUITE_LABEL).flatMap(([key, value]) => ['--label', `${key}=${value}`]);
  const environment = Object.entries(variables).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
  return new Promise((resolve) => {
    execFile('docker', ['run', '--rm', ...label, ...environment, image, ...args], (err, stdout, stderr) => {
      const code = err ? Number((err as { code?: unknown }).code ?? 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('each image', () => {
  for (const [name, image] of Object.entries(IMAGES)) {
    it(`should pass its own configuration with --check-config, printing it (${name})`, async () => {
      const result = await dockerRun(image, ['--check-config']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.split('\n')[0]).toBe(`${name}: configuration ok`);
      expect(result.stdout).toMatch(new RegExp(`^${name.toUpperCase()}_HOST=0\\.0\\.0\\.0 +# environment$`, 'm'));
    });
  }

  it('should fail --check-config naming two bad values and a misspelt variable', async () => {
    const result = await dockerRun(IMAGES.edge, ['--check-config'], {
      EDGE_PORT: 'http',
      EDGE_MAX_HEADER_BYTES: '12',
      EDGE_MAX_BODY_BYTE: '1048576',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('- EDGE_PORT: ');
    expect(result.stderr).toContain('- EDGE_MAX_HEADER_BYTES: ');
    expect(result.stderr).toContain('- EDGE_MAX_BODY_BYTE: unknown variable (did you mean EDGE_MAX_BODY_BYTES?)');
  });

  it('should run the service as PID 1, where docker stop signals it', async () => {
    const container = await new GenericContainer(IMAGES.gateway)
      .withLabels(SUITE_LABEL)
      .withEnvironment({ OTEL_TRACES_EXPORTER: 'none' })
      .withWaitStrategy(Wait.forLogMessage(/gateway listening/))
      .start();
    try {
      // Its command line: Node names its main thread MainThread, so /proc/1/comm does not say node.
      const pid1 = await container.exec(['sh', '-c', 'tr "\\0" " " < /proc/1/cmdline']);
      expect(pid1.output.trim()).toMatch(/^node .*\/dist\/main\.cjs$/);
    } finally {
      await container.stop();
    }
  });
});
