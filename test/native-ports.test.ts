// The native stack's ports: distinct within one `stack up`, free when handed out, and outside the OS's ephemeral
// range (where outgoing connections and port-0 listeners would take them before the component binds).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePorts } from '../stack/native/ports.ts';

const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

describe('freePorts', () => {
  it('hands out distinct free ports below the ephemeral range, never one that is bound', async () => {
    const [ephemeralLow] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
    try {
      // A stack with history asks for about twenty ports; ten rounds of 40 would repeat one if ports could repeat.
      for (let round = 0; round < 10; round++) {
        const ports = await freePorts(40);
        expect(new Set(ports).size).toBe(40);
        expect(ports.filter((port) => port >= ephemeralLow! || port < 1024)).toEqual([]);
        expect(ports).not.toContain((taken.address() as { port: number }).port);
        expect((await Promise.all(ports.map(bindable))).every(Boolean)).toBe(true);
      }
    } finally {
      taken.close();
    }
  });
});
