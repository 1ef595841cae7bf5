import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './service-process';

/**
 * infra/compose/.env — the image names, versions and ports compose uses — with any of its keys overridden from
 * the environment. JAEGER_IMAGE defaults to the image tools/docker/build-images.sh built from the local binary
 * (no registry here), else the official one .env names.
 */
export function composeEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(ROOT, 'infra', 'compose', '.env'), 'utf8').split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) env[match[1] as string] = match[2] as string;
  }
  const localJaeger = join(ROOT, 'tmp', 'docker', 'jaeger-image');
  if (existsSync(localJaeger)) env['JAEGER_IMAGE'] = readFileSync(localJaeger, 'utf8').trim();
  for (const key of Object.keys(env)) env[key] = process.env[key] ?? (env[key] as string);
  return env;
}
