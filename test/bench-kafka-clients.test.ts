// bench:kafka-clients without a broker: its readings are shaped like the gateway's, and the two clients put a key on
// the same partition (Java's murmur2), which the benchmark's delivery checks rely on.
import { compatibilityPartitioner, defaultPartitioner } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { expectedPartitions, PARTITIONS, reading, topicsOf } from '../scripts/bench/kafka-readings.ts';

const topics = topicsOf('t');
const readings = Array.from({ length: 4000 }, (_, i) => reading(topics, i));
const platformaticCounts = (partitioner: typeof compatibilityPartitioner) => {
  const counts = Object.fromEntries(topics.map((t) => [t, new Array<number>(PARTITIONS).fill(0)]));
  for (const r of readings) {
    const key = Buffer.from(r.key);
    counts[r.topic]![partitioner({ topic: r.topic, key, value: r.value }, key) % PARTITIONS]! += 1;
  }
  return counts;
};

describe('bench:kafka-clients readings', () => {
  it('are the gateway records of the 4 sensors events: key env|tenant|deviceId, JSON values of about 200 bytes', () => {
    expect(new Set(readings.map((r) => r.topic))).toEqual(new Set(topics));
    const first = readings[0]!;
    expect(first.key).toBe(['env', 'tenant', 'deviceId'].map((f) => (JSON.parse(first.value) as Record<string, string>)[f]).join('|'));
    const mean = readings.reduce((n, r) => n + r.value.length, 0) / readings.length;
    expect(mean).toBeGreaterThan(180);
    expect(mean).toBeLessThan(220);
  });

  it('land where kafkajs puts them with @platformatic/kafka compatibilityPartitioner, not its default', () => {
    const expected = expectedPartitions(topics, readings.length);
    expect(platformaticCounts(compatibilityPartitioner)).toEqual(expected);
    expect(platformaticCounts(defaultPartitioner)).not.toEqual(expected);
  });
});
