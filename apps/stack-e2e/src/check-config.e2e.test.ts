import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, startService, type ServiceName } from '@mono/testing';

const SERVICES: ServiceName[] = ['edge', 'gateway', 'framework'];
const scratch = mkdtempSync(join(tmpdir(), 'check-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `tools/run/service.sh <name> <args…>` with only `env` set (and PATH), as an operator would run it. */
function run(name: ServiceName, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(join(ROOT, 'tools', 'run', 'service.sh'), [name, ...args], {
    cwd: ROOT,
    env: { PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** The variables a README's generated table lists (tools/docs/env-tables.mjs writes it from the schema). */
function documented(readme: string, marker = 'env'): string[] {
  const text = readFileSync(join(ROOT, readme), 'utf8');
  const table = text.slice(text.indexOf(`<!-- ${marker}:start -->`), text.indexOf(`<!-- ${marker}:end -->`));
  return [...table.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((match) => match[1] as string);
}

describe('--check-config', () => {
  for (const name of SERVICES) {
    it(`should pass the shipped ${name} configuration, printing every variable with its value and source`, async () => {
      const result = await run(name, ['--check-config']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const [variables = '', effective] = result.stdout.trimEnd().split(/^# effective configuration.*$/m);
      const [first, ...lines] = variables.trimEnd().split('\n');
      expect(first).toBe(`${name}: configuration ok`);
      if (effective !== undefined) expect(effective).toMatch(/^admin: /m);
      const printed = lines.filter((line) => !line.startsWith('#')).map((line) => line.slice(0, line.indexOf('=')));
      expect(printed).toEqual([
        ...documented(`apps/${name}/README.md`),
        ...documented('libs/telemetry/README.md'),
        ...documented('libs/telemetry/README.md', 'env-metrics'),
      ]);
      for (const line of lines.filter((l) => !l.startsWith('#')))
        expect(line).toMatch(/^[A-Z0-9_]+=\S*\s+# (default|environment|not set)$/);
    });
  }

  it('should print the values it would run with, parsed, and mark those from the environment', async () => {
    const result = await run('edge', ['--check-config'], { EDGE_GATEWAYS: ' a:1 , b:2', EDGE_ACCESS_LOG: 'off' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^EDGE_GATEWAYS=a:1,b:2 +# environment$/m);
    expect(result.stdout).toMatch(/^EDGE_ACCESS_LOG=false +# environment$/m);
    expect(result.stdout).toMatch(/^EDGE_PORT=8080 +# default$/m);
  });

  it('should fail an edge configuration with two bad values and a misspelt variable, naming all three', async () => {
    const result = await run('edge', ['--check-config'], {
      EDGE_PORT: 'http',
      EDGE_MAX_HEADER_BYTES: '12',
      EDGE_MAX_BODY_BYTE: '1048576',
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const problems = result.stderr.trimEnd().split('\n');
    expect(problems[0]).toBe('edge: invalid configuration');
    expect(problems.slice(1)).toEqual([
      expect.stringMatching(/^ {2}- EDGE_PORT: /),
      expect.stringMatching(/^ {2}- EDGE_MAX_HEADER_BYTES: /),
      '  - EDGE_MAX_BODY_BYTE: unknown variable (did you mean EDGE_MAX_BODY_BYTES?)',
    ]);
  });

  it('should pass the shipped edge file', async () => {
    const result = await run('edge', ['--check-config'], { EDGE_CONFIG: join(ROOT, 'infra', 'config', 'edge.yaml') });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^serverNames:\n {2}- localhost\n/m);
  });

  it('should name every mistake in an edge file at once and exit 2', async () => {
    const path = join(scratch, 'edge.yaml');
    writeFileSync(
      path,
      [
        "servers: [localhost, 'bad host!']",
        'trustedProxies: [10.0.0.0/33]',
        'locations:',
        '  - path: /old',
        "    redirect: { to: 'https://$host$request_uri', status: 305 }",
        '',
      ].join('\n'),
    );
    const result = await run('edge', ['--check-config'], { EDGE_CONFIG: path });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const problems = result.stderr.trimEnd().split('\n');
    expect(problems[0]).toBe('edge: invalid configuration');
    expect(problems.slice(1)).toEqual([
      expect.stringMatching(/^ {2}- edge\.yaml: servers\.1: expected a host name/),
      expect.stringMatching(/^ {2}- edge\.yaml: trustedProxies\.0: expected an address or a CIDR network/),
      expect.stringMatching(/^ {2}- edge\.yaml: locations\.0\.redirect\.status: a redirect status is 301/),
    ]);
  });

  it("should check OpenTelemetry's variables with the service's own", async () => {
    const result = await run('gateway', ['--check-config'], { GATEWAY_PORT: '-1', OTEL_TRACES_SAMPLER: 'sometimes' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('- GATEWAY_PORT: ');
    expect(result.stderr).toContain('- OTEL_TRACES_SAMPLER: ');
  });

  it("should print the gateway's effective configuration: its file with the variables applied", async () => {
    const result = await run('gateway', ['--check-config'], {
      GATEWAY_CONFIG: join(ROOT, 'infra', 'config', 'gateway.yaml'),
      GATEWAY_FRAMEWORK: '127.0.0.1:50061,127.0.0.1:50062',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('# effective configuration');
    expect(result.stdout).toMatch(/servers:\n\s+- 127\.0\.0\.1:50061\n\s+- 127\.0\.0\.1:50062/);
  });

  it('should name every mistake in a gateway file and exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-check-'));
    const path = join(dir, 'gateway.yaml');
    writeFileSync(path, 'mounts: [{ path: /app/, pool: nowhere }]\ntimeouts: { idle: forever }\nqueue: 3\n');
    const result = await run('gateway', ['--check-config'], { GATEWAY_CONFIG: path });
    expect(result.code).toBe(2);
    for (const where of ['mounts.0.path', 'timeouts.idle', 'queue'])
      expect(result.stderr).toContain(`gateway.yaml: ${where}`);
  });

  it("should load every one of the framework's application modules without starting them", async () => {
    const app = join(ROOT, 'apps', 'stack-e2e', 'src', 'fixtures', 'differential-app.cjs');
    const result = await run('framework', ['--check-config'], {
      FRAMEWORK_APP: app,
      FRAMEWORK_CONFIG: join(ROOT, 'infra', 'config', 'framework.yaml'),
    });
    expect(result.code).toBe(0);
    const examples = join(ROOT, 'examples');
    expect(result.stdout).toContain(
      `# applications: default (express, ${app}:app), fetch (fetch, ${examples}/fetch-demo/dist/index.cjs:module.exports), plain (tsgi, ${examples}/tsgi-demo/dist/index.cjs:application), loaded`,
    );
  });

  it('should name the application when its module is missing, fails to load or exports no application', async () => {
    const none = join(scratch, 'exports-nothing.cjs');
    writeFileSync(none, 'exports.notAnApp = 1;\n');
    const throws = join(scratch, 'throws.cjs');
    writeFileSync(throws, "throw new Error('the module failed as it loaded');\n");
    const cases = [
      [join(scratch, 'missing.cjs'), "Cannot find module '"],
      [none, 'exports no `application`, `app` or `fetch` function'],
      [throws, 'the module failed as it loaded'],
    ] as const;
    for (const [module, reason] of cases) {
      const result = await run('framework', ['--check-config'], { FRAMEWORK_APP: module });
      expect(result.code, module).toBe(2);
      expect(result.stderr, module).toMatch(
        new RegExp(`^ {2}- application default \\(${escape(module)}\\): .*${escape(reason)}`, 'm'),
      );
      expect(result.stderr, module).not.toContain('Require stack');
    }
  });

  it('should refuse an argument it does not know, instead of starting', async () => {
    const result = await run('edge', ['--check-confg']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('edge: unknown argument --check-confg\nusage: edge [--check-config]\n');
  });
});

describe('an unknown variable at start', () => {
  it('should start anyway and log one warning naming it and the likely intended name', async () => {
    const edge = await startService('edge', {
      EDGE_PORT: '0',
      EDGE_MAX_BODY_BYTE: '1048576',
      EDGE_WHATEVER: 'x',
      OTEL_TRACES_EXPORTER: 'none',
    });
    try {
      const warnings = edge.logs.filter((line) => line['level'] === 'warn' && 'variable' in line);
      expect(warnings).toEqual([
        expect.objectContaining({ variable: 'EDGE_MAX_BODY_BYTE', suggestion: 'EDGE_MAX_BODY_BYTES' }),
        expect.objectContaining({ variable: 'EDGE_WHATEVER', msg: 'EDGE_WHATEVER: unknown variable; ignored' }),
      ]);
    } finally {
      await edge.stop();
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\`]/g, '\\$&');
}
