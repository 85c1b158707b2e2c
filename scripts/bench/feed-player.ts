// Serves a benchmark step's GTFS-Realtime snapshots where the gateway polls, at the step's pace: snapshot n is due
// `periodMs` after snapshot n − 1 (so the rate is buses per snapshot / period), and a poll gets the next due snapshot
// or 304 Not Modified. None is skipped or served twice, whatever the poll timing: a gateway that polls too slowly
// gets them late, one per poll, and the achieved rate shows it. The wall time each was served is kept for latency.
import { createServer, type Server } from 'node:http';

export class FeedPlayer {
  private bodies: Uint8Array[] = [];
  private next = 0;
  private periodMs = 0;
  private startedAt = 0;
  private etag = '"idle"';
  servedAt: number[] = [];
  private finished: (() => void) | undefined;
  private readonly server: Server;
  private readonly path: string;

  constructor(path: string) {
    this.path = path;
    this.server = createServer((req, res) => {
      if (req.url?.split('?')[0] !== this.path) return void res.writeHead(404).end();
      const due = this.next < this.bodies.length && Date.now() >= this.startedAt + this.next * this.periodMs;
      if (!due) return void res.writeHead(304, { ETag: this.etag }).end();
      const n = this.next++;
      this.servedAt[n] = Date.now();
      this.etag = `"s${n}-${this.servedAt[n]}"`;
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf', ETag: this.etag }).end(this.bodies[n]);
      if (this.next === this.bodies.length) this.finished?.();
    });
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => this.server.once('error', reject).listen(port, host, () => resolve()));
  }

  /** Serves these snapshots, one per period from now; resolves when the last one was served. */
  play(bodies: Uint8Array[], periodMs: number): Promise<void> {
    this.bodies = bodies;
    this.next = 0;
    this.periodMs = periodMs;
    this.startedAt = Date.now();
    this.servedAt = [];
    return new Promise((resolve) => (this.finished = resolve));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
