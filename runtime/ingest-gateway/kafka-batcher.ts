// Batches records for Kafka instead of awaiting each send: records queue up, one sendBatch carries up to
// `maxBatch` of them (across topics), and a new batch starts as soon as the previous one is acknowledged
// or after `lingerMs`. Above `highWater` queued records the caller is told to pause its input.

export interface OutRecord {
  topic: string;
  key: string | null;
  value: string;
  /** Metric label: the event name, or the gateway's own DLQ_LABEL / STATE_LABEL (ingest.ts). */
  label: string;
}

export interface BatchSender {
  sendBatch(batch: {
    topicMessages: { topic: string; messages: { key: string | null; value: string }[] }[];
  }): Promise<unknown>;
}

export interface BatcherOptions {
  maxBatch?: number;
  lingerMs?: number;
  highWater?: number;
  retryDelayMs?: number;
  onSent?: (label: string, count: number) => void;
  onError?: (error: unknown, records: number) => void;
  onPressure?: (paused: boolean) => void;
}

export class KafkaBatcher {
  readonly sender: BatchSender;
  readonly maxBatch: number;
  readonly lingerMs: number;
  readonly highWater: number;
  readonly retryDelayMs: number;
  readonly options: BatcherOptions;
  private queue: OutRecord[] = [];
  private sending = false;
  private timer: NodeJS.Timeout | undefined;
  private paused = false;
  private idle: (() => void)[] = [];
  /** Acknowledged batches: how many, their records, and the time Kafka took to acknowledge them (ms). */
  readonly sent = { batches: 0, records: 0, ackMsTotal: 0, ackMsMax: 0 };

  constructor(sender: BatchSender, options: BatcherOptions = {}) {
    this.sender = sender;
    this.options = options;
    // A 4,000-vehicle GTFS-RT snapshot in one request (one round trip per poll); records of ~350 bytes stay well
    // under the broker's 1 MB per partition batch.
    this.maxBatch = options.maxBatch ?? 4000;
    this.lingerMs = options.lingerMs ?? 5;
    this.highWater = options.highWater ?? 100_000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
  }

  get pending(): number {
    return this.queue.length;
  }

  enqueue(record: OutRecord): void {
    this.queue.push(record);
    if (!this.paused && this.queue.length >= this.highWater) {
      this.paused = true;
      this.options.onPressure?.(true);
    }
    if (this.sending) return;
    if (this.queue.length >= this.maxBatch) {
      this.clearTimer();
      void this.drain();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.drain();
      }, this.lingerMs);
    }
  }

  /** Resolves once everything queued so far has been acknowledged by Kafka. */
  flush(): Promise<void> {
    if (this.queue.length === 0 && !this.sending) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.idle.push(resolve));
    this.clearTimer();
    if (!this.sending) void this.drain();
    return done;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        const byTopic = new Map<string, { key: string | null; value: string }[]>();
        for (const r of batch) {
          let messages = byTopic.get(r.topic);
          if (!messages) byTopic.set(r.topic, (messages = []));
          messages.push({ key: r.key, value: r.value });
        }
        const startedAt = performance.now();
        try {
          await this.sender.sendBatch({
            topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
          });
        } catch (error) {
          this.options.onError?.(error, batch.length);
          this.queue.unshift(...batch); // keep order; retry after a pause
          await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
          continue;
        }
        const ackMs = performance.now() - startedAt;
        this.sent.batches += 1;
        this.sent.records += batch.length;
        this.sent.ackMsTotal += ackMs;
        this.sent.ackMsMax = Math.max(this.sent.ackMsMax, ackMs);
        const counts = new Map<string, number>();
        for (const r of batch) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
        for (const [label, count] of counts) this.options.onSent?.(label, count);
        if (this.paused && this.queue.length < this.highWater / 2) {
          this.paused = false;
          this.options.onPressure?.(false);
        }
      }
    } finally {
      this.sending = false;
      for (const resolve of this.idle.splice(0)) resolve();
    }
  }
}
