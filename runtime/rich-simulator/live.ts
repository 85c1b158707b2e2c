// Live output: a run published over MQTT as it happens. One message = the whole records of one kind whose detector
// time falls in one batch window (every `batchNs`), tracks before hits; empty windows send nothing. Without a tracks
// topic (a trackless detector: the pipeline finds rings from the hits alone) only hits go out. Window k is
// published when the wall clock reaches start + (k + 1)·batch/speed, so detector time runs `speed` times wall time
// (a publisher that falls behind catches up without waiting).
import { setTimeout as sleep } from 'node:timers/promises';
import { connectAsync } from 'mqtt';
import { RunGenerator, type RunOptions } from './run.ts';
import { encodeHits, encodeTracks } from './wire.ts';

export interface LiveOptions {
  url: string;
  /** null: publish hits only (the tracks are still simulated, so the hits are the same run's). */
  tracksTopic: string | null;
  hitsTopic: string;
  username?: string;
  password?: string;
  qos: 0 | 1;
  /** Detector seconds per wall second. */
  speed: number;
  /** Detector ns per message. */
  batchNs: number;
  run: RunOptions;
  /** Stops publishing (the run ends early). */
  signal?: AbortSignal;
}

export interface LiveSummary {
  tracks: number;
  hits: number;
  messages: number;
}

export async function publishLive(options: LiveOptions): Promise<LiveSummary> {
  const client = await connectAsync(options.url, {
    username: options.username,
    password: options.password,
    clientId: `iot-rich-sim-${process.pid}-${Date.now()}`,
    reconnectPeriod: 0,
  });
  const summary: LiveSummary = { tracks: 0, hits: 0, messages: 0 };
  const generator = new RunGenerator(options.run);
  const wallStart = performance.now();
  try {
    for (let k = 1; !generator.done && !options.signal?.aborted; k++) {
      const dueMs = wallStart + (k * options.batchNs) / 1e6 / options.speed;
      const wait = dueMs - performance.now();
      if (wait > 0) await sleep(wait, undefined, { signal: options.signal }).catch(() => undefined);
      if (options.signal?.aborted) break;
      const { tracks, hits } = generator.advance(k * options.batchNs);
      const sends: Promise<unknown>[] = [];
      if (tracks.length > 0 && options.tracksTopic !== null) sends.push(client.publishAsync(options.tracksTopic, encodeTracks(tracks), { qos: options.qos }));
      if (hits.length > 0) sends.push(client.publishAsync(options.hitsTopic, encodeHits(hits), { qos: options.qos }));
      await Promise.all(sends);
      if (options.tracksTopic !== null) summary.tracks += tracks.length;
      summary.hits += hits.length;
      summary.messages += sends.length;
    }
  } finally {
    await client.endAsync();
  }
  return summary;
}
