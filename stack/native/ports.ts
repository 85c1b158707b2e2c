import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/**
 * Below the OS's ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range, usually 32768-60999), where the
 * OS never puts a port on its own: neither the source port of an outgoing connection nor a listener asking for
 * port 0 (Flink's MiniCluster binds several) can take a port of the stack between `up` choosing it and the
 * component binding it. Without that file (not Linux), the OS chooses (port 0).
 */
function unassignedRange(): { low: number; high: number } | undefined {
  try {
    const [ephemeralLow] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return ephemeralLow && ephemeralLow > 11_024 ? { low: 10_000, high: ephemeralLow - 1 } : undefined;
  } catch {
    return undefined;
  }
}

function listen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * Distinct free loopback ports. Every port stays bound until all are chosen, so none is handed out twice (ports
 * taken one at a time, bound and closed, can repeat: two components of one stack then got the same port, the
 * second failed with EADDRINUSE while the first answered its health probe).
 */
export async function freePorts(count: number): Promise<number[]> {
  const range = unassignedRange();
  const servers: Server[] = [];
  try {
    while (servers.length < count) {
      let server: Server | undefined;
      for (let attempt = 0; range && !server && attempt < 100; attempt++) {
        server = await listen(range.low + Math.floor(Math.random() * (range.high - range.low + 1)));
      }
      server ??= await listen(0);
      if (!server) throw new Error('no free loopback port');
      servers.push(server);
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

/** A free loopback port. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}
