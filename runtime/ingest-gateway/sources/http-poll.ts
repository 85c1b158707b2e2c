// Polls one URL over HTTP: conditional GET (ETag / Last-Modified), gzip, a timeout per request, one poll at a
// time, the next one `intervalMs` after the previous one started, exponential back-off after errors, and
// back-pressure (the next poll waits until onPayload has finished).
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

export interface PollOptions {
  url: string;
  intervalMs: number;
  headers?: Record<string, string>;
  /** Per request, body included; default 20000. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /**
   * A 200 whose body cannot be turned into a payload (gzip that does not gunzip): handed here with the reason,
   * and the poll counts as delivered (no retry of the same body). Without it, the poll fails.
   */
  onUndecodable?: (body: Buffer, reason: string, info: PayloadInfo) => void | Promise<void>;
}

export interface PayloadInfo {
  url: string;
  status: number;
  /** Epoch ms when the body had arrived. */
  fetchedAt: number;
  contentType?: string;
}

export interface PollStats {
  polls: number;
  /** Payloads delivered to onPayload. */
  changed: number;
  notModified: number;
  errors: number;
  /** Bytes of the delivered payloads, after decompression. */
  bytes: number;
  /** Bodies handed to onUndecodable. */
  undecodable: number;
}

export type PollResult = 'changed' | 'not-modified' | 'undecodable';

export const USER_AGENT = 'create-iot-platform-gateway';
export const ACCEPT = 'application/x-protobuf, application/octet-stream, */*;q=0.1';
const DEFAULT_TIMEOUT_MS = 20_000;
// a poll that overran its interval (a large body on a busy machine) is followed almost at once, never in a busy loop
const MIN_GAP_MS = 10;
const MAX_BACKOFF_MS = 60_000;

const gunzipAsync = promisify(gunzip);

/**
 * Milliseconds from the end of a poll to the start of the next: `intervalMs` after the previous start
 * (doubled per consecutive error, capped at 60 s or the interval if longer), and never less than 10 ms.
 */
export function nextPollDelay(startedAt: number, endedAt: number, intervalMs: number, consecutiveErrors: number): number {
  const period = consecutiveErrors === 0 ? intervalMs : Math.min(Math.max(MAX_BACKOFF_MS, intervalMs), intervalMs * 2 ** consecutiveErrors);
  return Math.max(MIN_GAP_MS, startedAt + period - endedAt);
}

// A file such as feed.pb.gz served without Content-Encoding. A protobuf message never starts with 1F (field 3,
// wire type 7 does not exist), so GTFS-RT bodies cannot be mistaken for gzip.
function isGzip(body: Buffer): boolean {
  return body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;
}

function requestFailure(url: string, error: unknown, timeoutMs: number): Error {
  if (error instanceof Error && error.name === 'TimeoutError') return new Error(`GET ${url}: timed out after ${timeoutMs} ms`);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new Error(`GET ${url}: ${reason.replace(/\s+/g, ' ')}`);
}

export class HttpPoller {
  readonly #options: PollOptions;
  readonly #onPayload: (payload: Buffer, info: PayloadInfo) => void | Promise<void>;
  readonly #onError: (error: Error) => void;
  readonly #stats: PollStats = { polls: 0, changed: 0, notModified: 0, errors: 0, bytes: 0, undecodable: 0 };
  // Validators of the last 200 whose payload onPayload accepted.
  #etag: string | undefined;
  #lastModified: string | undefined;
  // Polls run one after another on this chain.
  #queue: Promise<unknown> = Promise.resolve();
  // The scheduling loop: a fresh token per start(), so a loop that outlives stop() + start() ends itself.
  #loop: object | undefined;
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> | undefined;
  #consecutiveErrors = 0;

  constructor(
    options: PollOptions,
    onPayload: (payload: Buffer, info: PayloadInfo) => void | Promise<void>,
    onError: (error: Error) => void,
  ) {
    this.#options = options;
    this.#onPayload = onPayload;
    this.#onError = onError;
  }

  get stats(): Readonly<PollStats> {
    return this.#stats;
  }

  /** Starts polling now and keeps polling until stop(); errors go to onError. */
  start(): void {
    if (this.#loop) return;
    const loop = {};
    this.#loop = loop;
    this.#consecutiveErrors = 0;
    this.#schedule(loop, 0);
  }

  /**
   * Stops polling; resolves once an in-flight poll (and its onPayload) has finished. Awaiting it inside
   * onPayload would wait for itself: call it from there without awaiting.
   */
  async stop(): Promise<void> {
    this.#loop = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#tick;
    await this.#queue;
  }

  /** One poll (after any poll in flight). Rejects with a one-line error, which also counts in stats.errors. */
  pollOnce(): Promise<PollResult> {
    const poll = this.#queue.then(() => this.#poll());
    this.#queue = poll.catch(() => undefined);
    return poll;
  }

  #schedule(loop: object, delay: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#tick = this.#runTick(loop);
    }, delay);
  }

  async #runTick(loop: object): Promise<void> {
    if (this.#loop !== loop) return;
    const startedAt = Date.now();
    try {
      await this.pollOnce();
      this.#consecutiveErrors = 0;
    } catch (error) {
      this.#consecutiveErrors++;
      try {
        this.#onError(error instanceof Error ? error : new Error(String(error)));
      } catch {
        // A throwing error handler must not end the polling loop.
      }
    }
    if (this.#loop !== loop) return;
    this.#schedule(loop, nextPollDelay(startedAt, Date.now(), this.#options.intervalMs, this.#consecutiveErrors));
  }

  #remember(response: Response): void {
    this.#etag = response.headers.get('etag') ?? undefined;
    this.#lastModified = response.headers.get('last-modified') ?? undefined;
  }

  async #poll(): Promise<PollResult> {
    const { url } = this.#options;
    const timeoutMs = this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#stats.polls++;
    try {
      const headers = new Headers({ accept: ACCEPT, 'accept-encoding': 'gzip', 'user-agent': USER_AGENT });
      for (const [name, value] of Object.entries(this.#options.headers ?? {})) headers.set(name, value);
      if (this.#etag !== undefined) headers.set('if-none-match', this.#etag);
      if (this.#lastModified !== undefined) headers.set('if-modified-since', this.#lastModified);

      let response: Response;
      let body: Buffer | undefined;
      try {
        response = await (this.#options.fetch ?? fetch)(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
        if (response.status === 200) body = Buffer.from(await response.arrayBuffer());
        else await response.body?.cancel();
      } catch (error) {
        throw requestFailure(url, error, timeoutMs);
      }
      const fetchedAt = Date.now();
      if (response.status === 304) {
        this.#stats.notModified++;
        return 'not-modified';
      }
      if (body === undefined) throw new Error(`GET ${url}: HTTP ${response.status}`);

      const contentType = response.headers.get('content-type');
      const info: PayloadInfo = { url, status: response.status, fetchedAt, ...(contentType === null ? {} : { contentType }) };
      let payload = body;
      if (isGzip(body)) {
        try {
          payload = await gunzipAsync(body);
        } catch (error) {
          const reason = `the body starts like gzip but does not gunzip (${(error as Error).message})`;
          if (!this.#options.onUndecodable) throw new Error(`GET ${url}: ${reason}`);
          await this.#options.onUndecodable(body, reason, info);
          this.#remember(response);
          this.#stats.undecodable++;
          return 'undecodable';
        }
      }
      await this.#onPayload(payload, info);
      // Only now: had onPayload failed, the next poll must fetch the same payload again rather than get a 304.
      this.#remember(response);
      this.#stats.changed++;
      this.#stats.bytes += payload.length;
      return 'changed';
    } catch (error) {
      this.#stats.errors++;
      throw error;
    }
  }
}
