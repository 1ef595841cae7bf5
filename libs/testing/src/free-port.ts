import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The lowest port handed out: above the well-known and the common registered ones (8080, 9080, 16686…). */
const FIRST = 20_000;

/**
 * Where the kernel's ephemeral ports begin: it hands those to outgoing connections, and a port freed there (a service
 * stopped to be restarted on it) can be taken by any new connection meanwhile, even one to that very port (TCP's
 * self-connect), and the restart then fails with EADDRINUSE.
 */
function ephemeralStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > FIRST) return low;
  } catch {
    // Not Linux: IANA's dynamic range, which the other kernels use.
  }
  return 49_152;
}

const END = ephemeralStart();
/** Ports this process handed out: never twice, though each is free again once its user stops. */
const handedOut = new Set<number>();

/**
 * A port nothing listens on right now, below the kernel's ephemeral range so that no outgoing connection takes it
 * while its service is down between a stop and a restart on it: for a process that cannot report its own.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries += 1) {
    const port = FIRST + Math.floor(Math.random() * (END - FIRST));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port between ${FIRST} and ${END}`);
}

/** Listens on `port` at 127.0.0.1 and closes again: whether that worked. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
