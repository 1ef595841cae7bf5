import { parseArgs } from 'node:util';
import { requireApplication, validator } from '@mono/tsgi';
import { createTsgiServer } from './create-tsgi-server';

const USAGE = 'usage: main.cjs --app <module> [--mount /prefix] [--host 127.0.0.1] [--port 8000] [--validate]';

function main(): void {
  let options;
  try {
    ({ values: options } = parseArgs({
      options: {
        app: { type: 'string' },
        mount: { type: 'string', default: '/' },
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '8000' },
        validate: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const port = Number(options.port);
  if (!options.app) fail('--app is required');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`--port ${options.port}: expected 0–65535`);
  let server;
  try {
    const loaded = requireApplication(options.app);
    server = createTsgiServer(options.validate ? validator(loaded) : loaded, { mount: options.mount });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  server.listen(port, options.host, () => {
    const address = server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    const mount = options.mount === '/' ? '' : options.mount;
    const checked = options.validate ? ', validated' : '';
    console.log(`tsgi-server: serving ${options.app} at http://${options.host}:${bound}${mount}/${checked}`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function fail(message: string): never {
  console.error(`tsgi-server: ${message}\n${USAGE}`);
  process.exit(2);
}

main();
