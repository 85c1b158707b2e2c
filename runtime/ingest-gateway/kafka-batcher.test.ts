import { describe, expect, it } from 'vitest';
import { KafkaBatcher, type BatchSender } from './kafka-batcher.ts';

describe('Kafka batcher', () => {
  it('sends queued records in batches grouped by topic and counts them per label', async () => {
    const batches: { topic: string; count: number }[][] = [];
    const sender: BatchSender = {
      sendBatch: async ({ topicMessages }) => {
        batches.push(topicMessages.map((t) => ({ topic: t.topic, count: t.messages.length })));
      },
    };
    const sent: Record<string, number> = {};
    const batcher = new KafkaBatcher(sender, { maxBatch: 3, lingerMs: 1, onSent: (l, n) => (sent[l] = (sent[l] ?? 0) + n) });
    for (let i = 0; i < 7; i++) batcher.enqueue({ topic: i % 2 ? 'a' : 'b', key: String(i), value: '{}', label: i % 2 ? 'x' : 'y' });
    await batcher.flush();
    expect(batches.flat().reduce((n, b) => n + b.count, 0)).toBe(7);
    expect(batches.every((b) => b.reduce((n, t) => n + t.count, 0) <= 3)).toBe(true);
    expect(sent).toEqual({ x: 3, y: 4 });
    expect(batcher.pending).toBe(0);
    expect(batcher.sent).toMatchObject({ batches: batches.length, records: 7 });
    expect(batcher.sent.ackMsMax).toBeGreaterThanOrEqual(0);
  });

  it('retries a failed batch without losing or reordering records', async () => {
    const values: string[] = [];
    let failures = 1;
    const sender: BatchSender = {
      sendBatch: async ({ topicMessages }) => {
        if (failures-- > 0) throw new Error('broker down');
        for (const t of topicMessages) values.push(...t.messages.map((m) => m.value));
      },
    };
    const errors: number[] = [];
    const batcher = new KafkaBatcher(sender, { maxBatch: 2, lingerMs: 1, retryDelayMs: 1, onError: (_e, n) => errors.push(n) });
    for (const v of ['1', '2', '3']) batcher.enqueue({ topic: 't', key: null, value: v, label: 'e' });
    await batcher.flush();
    expect(values).toEqual(['1', '2', '3']);
    expect(errors).toEqual([2]);
  });

  it('signals back-pressure above the high-water mark and releases it when drained', async () => {
    const pressure: boolean[] = [];
    const batcher = new KafkaBatcher({ sendBatch: async () => undefined }, { maxBatch: 100, lingerMs: 50, highWater: 4, onPressure: (p) => pressure.push(p) });
    for (let i = 0; i < 5; i++) batcher.enqueue({ topic: 't', key: null, value: '', label: 'e' });
    expect(pressure).toEqual([true]);
    await batcher.flush();
    expect(pressure).toEqual([true, false]);
  });
});

