// Writes each service's "Configuration" table (and the telemetry variables) into its README (between <!-- env:start --> and <!-- env:end -->) from the
// app's env schema, so the docs cannot drift from the code. `--check` fails instead of writing when a README is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '../..');
/** Each README's table of a schema, between `<!-- <marker>:start -->` and `<!-- <marker>:end -->`. */
const documents = [
  { readme: 'apps/edge/README.md', module: './apps/edge/src/config', schema: 'edgeEnvSchema' },
  { readme: 'apps/gateway/README.md', module: './apps/gateway/src/config', schema: 'gatewayEnvSchema' },
  { readme: 'apps/framework/README.md', module: './apps/framework/src/config', schema: 'frameworkEnvSchema' },
  { readme: 'libs/telemetry/README.md', module: './libs/telemetry/src/config', schema: 'telemetryEnvSchema' },
  {
    readme: 'libs/telemetry/README.md',
    module: './libs/telemetry/src/metrics-config',
    schema: 'metricsEnvSchema',
    marker: 'env-metrics',
  },
];
const check = process.argv.includes('--check');
let stale = 0;

for (const { readme: file, module: source, schema, marker = 'env' } of documents) {
  const { outputFiles } = await build({
    stdin: {
      contents: `export { ${schema} as schema } from '${source}';\nexport { describeEnv } from '@mono/config';`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'error',
  });
  /** @type {{ exports: { schema?: unknown, describeEnv?: typeof import('@mono/config').describeEnv } }} */
  const module = { exports: {} };
  const [bundle] = outputFiles ?? [];
  if (!bundle) throw new Error(`${source}: esbuild gave no output`);
  new Function('module', 'exports', 'require', bundle.text)(
    module,
    module.exports,
    createRequire(join(root, 'package.json')),
  );
  const { schema: envSchema, describeEnv } = module.exports;
  if (!describeEnv) throw new Error(`${source}: the bundle exports no describeEnv`);
  const rows = describeEnv(/** @type {Parameters<typeof describeEnv>[0]} */ (envSchema)).map(
    (v) => `| \`${v.name}\` | \`${v.default}\` | ${v.description} |`,
  );
  const table = ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
  const path = join(root, file);
  const readme = readFileSync(path, 'utf8');
  const block = new RegExp(`(<!-- ${marker}:start -->)[\\s\\S]*?(<!-- ${marker}:end -->)`);
  if (!block.test(readme))
    throw new Error(`${path}: no <!-- ${marker}:start --> … <!-- ${marker}:end --> for ${schema}`);
  const next = readme.replace(block, `$1\n${table}\n$2`);
  if (next === readme) continue;
  if (check) {
    console.error(`${path}: the configuration table is out of date; run: npx nx run tools:docs`);
    stale += 1;
  } else {
    writeFileSync(path, next);
    console.log(`updated ${path}`);
  }
}
process.exit(stale > 0 ? 1 : 0);
