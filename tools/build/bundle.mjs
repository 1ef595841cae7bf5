// Bundles one app's entry points into CommonJS files under <app>/dist: workspace libs are inlined, npm packages stay
// external so that OpenTelemetry's instrumentations can patch them as Node loads them (an inlined express or grpc-js
// is never patched). Usage: node tools/build/bundle.mjs <appDir> <entry.ts>...
import { builtinModules } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { buildMallocTrim } from './malloc-trim.mjs';

const [appDir, ...entries] = process.argv.slice(2);
if (!appDir || entries.length === 0) {
  console.error('usage: bundle.mjs <appDir> <entry.ts>...');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '../..');
const { dependencies = {} } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// Inlined although an npm package: the OpenTelemetry SDK's span code, from its ES module build. Its CommonJS build
// reaches every @opentelemetry/api export through a getter that is a bound function, which V8 runs through its
// runtime: ~1-2 µs of every span started (docs/adr/0033-what-a-request-costs-by-owner.md). Nothing patches it.
const inlined = new Set(['@opentelemetry/sdk-trace']);
const external = Object.keys(dependencies)
  .filter((name) => !inlined.has(name))
  .flatMap((name) => [name, `${name}/*`]);

const started = performance.now();
const result = await build({
  entryPoints: Object.fromEntries(entries.map((e) => [basename(e, '.ts'), join(appDir, e)])),
  outdir: join(appDir, 'dist'),
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  external,
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
  metafile: true,
});
// The npm packages the bundles load at run time: what a container image must carry (tools/docker/stage-app.mjs).
const builtins = new Set(builtinModules);
const packages = new Set();
for (const output of Object.values(result.metafile.outputs)) {
  for (const { path, external } of output.imports) {
    if (!external || path.startsWith('node:') || builtins.has(path)) continue;
    packages.add(path.startsWith('@') ? path.split('/').slice(0, 2).join('/') : path.split('/')[0]);
  }
}
writeFileSync(join(appDir, 'dist', 'externals.json'), `${JSON.stringify([...packages].sort(), null, 2)}\n`);
// A bundle with libs/runtime's idle compaction or minor-GC nudge gives the C heap's free pages back through this
// addon, beside it.
if (Object.keys(result.metafile.inputs).some((input) => input.endsWith('libs/runtime/src/release-free-memory.ts'))) {
  const notBuilt = buildMallocTrim(join(appDir, 'dist', 'malloc-trim.node'));
  if (notBuilt) console.warn(`${appDir}: malloc-trim.node not built (${notBuilt}): the C heap is not trimmed`);
}
console.log(`bundled ${appDir}: ${entries.join(', ')} in ${Math.round(performance.now() - started)} ms`);
