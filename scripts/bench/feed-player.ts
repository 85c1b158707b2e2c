// Serves a benchmark step's GTFS-Realtime snapshots where the gateway polls: every request gets the next snapshot
// (so none is skipped or served twice, whatever the poll timing), and the wall time each was served is kept for the
// latency figures. Between steps, and after a step's last snapshot, it answers 304 Not Modified.
import { createServer, type Server } from 'node:http';

export class FeedPlayer {
  private bodies: Uint8Array[] = [];
  private next = 0;
  servedAt: number[] = [];
  private finished: (() => void) | undefined;
  private readonly server: Server;
  private readonly path: string;

  constructor(path: string) {
    this.path = path;
    this.server = createServer((req, res) => {
      if (req.url?.split('?')[0] !== this.path) return void res.writeHead(404).end();
      if (this.next >= this.bodies.length) return void res.writeHead(304, { ETag: `"idle-${this.bodies.length}"` }).end();
      const n = this.next++;
      this.servedAt[n] = Date.now();
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf', ETag: `"s${n}-${this.servedAt[n]}"` }).end(this.bodies[n]);
      if (this.next === this.bodies.length) this.finished?.();
    });
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => this.server.once('error', reject).listen(port, host, () => resolve()));
  }

  /** Serves these snapshots, one per request; resolves when the last one was served. */
  play(bodies: Uint8Array[]): Promise<void> {
    this.bodies = bodies;
    this.next = 0;
    this.servedAt = [];
    return new Promise((resolve) => (this.finished = resolve));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
