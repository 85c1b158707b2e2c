import { createRequire } from 'node:module';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startKafka, type KafkaBroker } from '../../test/helpers/kafka.ts';
import { fixKafkajsIdleTimer, scheduleCheckWhileRequestsWait } from './kafkajs-idle-timer.ts';

const queue = (pending: number, throttledUntil: number) => ({
  pending: Array.from({ length: pending }),
  throttledUntil,
  throttleCheckTimeoutId: null as NodeJS.Timeout | null,
  checkPendingRequests: vi.fn(),
  scheduleCheckPendingRequests: scheduleCheckWhileRequestsWait,
});

describe('scheduleCheckWhileRequestsWait', () => {
  it('arms no timer while no request waits, throttled or not', () => {
    for (const throttledUntil of [-1, Date.now() - 5000, Date.now() + 5000]) {
      const q = queue(0, throttledUntil);
      q.scheduleCheckPendingRequests();
      expect(q.throttleCheckTimeoutId).toBeNull();
    }
  });

  it('checks a waiting request after the throttle ends, or in 10 ms when there is none', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const throttled = queue(1, 1_000_000 + 300);
      const unthrottled = queue(2, -1);
      throttled.scheduleCheckPendingRequests();
      unthrottled.scheduleCheckPendingRequests();
      unthrottled.scheduleCheckPendingRequests(); // one timer at a time
      vi.advanceTimersByTime(10);
      expect([throttled.checkPendingRequests.mock.calls.length, unthrottled.checkPendingRequests.mock.calls.length]).toEqual([0, 1]);
      expect(unthrottled.throttleCheckTimeoutId).toBeNull();
      vi.advanceTimersByTime(290);
      expect(throttled.checkPendingRequests).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('an idle kafkajs client on a real broker', () => {
  let broker: KafkaBroker;
  beforeAll(async () => {
    broker = await startKafka();
  }, 120_000);
  afterAll(() => broker?.stop());

  it('checks its request queues only when responses come, not every millisecond', async () => {
    fixKafkajsIdleTimer();
    const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as { prototype: { checkPendingRequests(): void } };
    const check = vi.spyOn(RequestQueue.prototype, 'checkPendingRequests');
    const kafka = new Kafka({ clientId: 'idle-test', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    const admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'idle-timer' }] });
      await producer.send({ topic: 'idle-timer', messages: [{ value: 'one' }] });
      expect((await admin.fetchTopicOffsets('idle-timer'))[0]!.high).toBe('1');
      check.mockClear();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      // kafkajs 2.2.4 itself: about 1,000 checks a second per connection (three here)
      expect(check.mock.calls.length).toBeLessThan(10);
    } finally {
      check.mockRestore();
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    }
  }, 60_000);
});
