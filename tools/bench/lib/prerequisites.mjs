// What the bench's tools need before they measure: a Debian package's command, and the services' production bundles.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/**
 * Installs Debian's `pkg` the first time `command` is missing (`command ...probe` fails to start).
 * @param {string} command
 * @param {string[]} probe arguments that make the command exit at once, e.g. ['--version']
 * @param {string} pkg
 * @param {(line: string) => void} log
 */
export function ensureFromDebian(command, probe, pkg, log) {
  try {
    execFileSync(command, probe, { stdio: 'ignore' });
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'ENOENT') return;
    log(`installing ${pkg} from Debian`);
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
}

/** Builds the services' and the example applications' production bundles in this checkout (Nx caches them). */
export function buildBundles() {
  execFileSync(
    join(ROOT, 'node_modules', '.bin', 'nx'),
    ['run-many', '-t', 'build', '--projects=edge,gateway,framework,express-demo,fetch-demo,tsgi-demo'],
    { cwd: ROOT, stdio: 'ignore', env: { ...process.env, NX_DAEMON: 'false' } },
  );
}
