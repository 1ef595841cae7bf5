// Stages the build context of one service's image in tmp/docker/<app>: its bundles (dist/), the bundles it loads by
// path (the framework's demo app), its package.json, its shipped configuration file (infra/config/<app>.yaml), and
// only the npm packages those bundles load at run time
// (dist/externals.json) with their production dependencies, copied from the workspace's node_modules. Usage: node tools/docker/stage-app.mjs <app>
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const app = process.argv[2];
if (!app) {
  console.error('usage: node tools/docker/stage-app.mjs <app>');
  process.exit(2);
}
const appDir = join(root, 'apps', app);
/**
 * Bundles an app loads by path at run time, staged at the same relative path: the framework's applications (the
 * default one, and the two others infra/config/framework.yaml hosts).
 * @type {Record<string, string[]>}
 */
const LOADED_BY_PATH = { framework: ['examples/express-demo', 'examples/fetch-demo', 'examples/tsgi-demo'] };
const loaded = LOADED_BY_PATH[app] ?? [];
const externals = [appDir, ...loaded.map((dir) => join(root, dir))].flatMap((dir) =>
  JSON.parse(readFileSync(join(dir, 'dist', 'externals.json'), 'utf8')),
);
const stage = join(root, 'tmp', 'docker', app);

/**
 * Package directories to copy: each external and, transitively, the production dependencies they resolve to.
 * @type {Set<string>}
 */
const dirs = new Set();
/**
 * @param {string} name
 * @param {string} from the directory Node resolves `name` from
 */
const visit = (name, from) => {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) {
      dir = candidate;
      break;
    }
    if (dir === root) throw new Error(`${app}: cannot resolve ${name} from ${from}`);
    dir = dirname(dirname(dir)) === dir ? root : parentPackageDir(dir);
  }
  if (dirs.has(dir)) return;
  dirs.add(dir);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const deps = { ...manifest.dependencies, ...manifest.optionalDependencies };
  for (const peer of Object.keys(manifest.peerDependencies ?? {}))
    if (!manifest.peerDependenciesMeta?.[peer]?.optional) deps[peer] = '*';
  for (const dep of Object.keys(deps)) {
    try {
      visit(dep, dir);
    } catch (err) {
      if (!(dep in (manifest.optionalDependencies ?? {}))) throw err;
    }
  }
};

/**
 * The directory whose node_modules is searched next, as Node's resolution climbs out of a package.
 * @param {string} dir
 */
function parentPackageDir(dir) {
  const at = dir.lastIndexOf(`${'/'}node_modules${'/'}`);
  return at === -1 ? root : dir.slice(0, at);
}

for (const name of externals) visit(name, root);

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
cpSync(join(appDir, 'dist'), join(stage, 'dist'), { recursive: true });
cpSync(join(appDir, 'package.json'), join(stage, 'package.json'));
for (const dir of loaded) cpSync(join(root, dir, 'dist'), join(stage, dir, 'dist'), { recursive: true });
cpSync(join(root, 'tools', 'run', 'node-flags'), join(stage, 'node-flags'));
// The shipped configuration file (the image names it in <APP>_CONFIG; a mounted file can replace it).
cpSync(join(root, 'infra', 'config', `${app}.yaml`), join(stage, 'config', `${app}.yaml`));
// The edge's shipped file serves /static/ from ../static (its demo root), beside the config directory.
if (app === 'edge') cpSync(join(root, 'infra', 'static'), join(stage, 'static'), { recursive: true });
// Only top-level package directories are copied: a nested one comes with its parent.
const topLevel = [...dirs].filter(
  (d) => ![...dirs].some((other) => other !== d && d.startsWith(`${other}/node_modules/`)),
);
for (const dir of topLevel) {
  const relative = dir.slice(root.length + 1);
  cpSync(dir, join(stage, relative), { recursive: true, dereference: true });
}
console.log(`staged ${app}: ${topLevel.length} packages (${dirs.size} with nested) in ${stage}`);
