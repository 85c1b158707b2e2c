// The records of bench:kafka-clients, shaped like the ingest gateway's output for the sensors blueprint: one topic per
// event (4 topics of 3 partitions), key `env|tenant|deviceId`, a JSON value of about 200 bytes (the context fields,
// the event's fields in declared order, ingestedAt). Record i is the same in every process, so the parent can tell
// which partition each record must land on (Java's murmur2, as kafkajs's DefaultPartitioner computes it).
import { Partitioners } from 'kafkajs';

export const PARTITIONS = 3;
const EVENTS = ['humidity', 'temperature', 'location', 'state'] as const;
const DEVICES = 2500;
const TENANTS = 8;
const EPOCH_MS = Date.UTC(2026, 0, 1);

/** The 4 topics of a workload: `bench.<prefix>.<event>.v1`. */
export const topicsOf = (prefix: string) => EVENTS.map((event) => `bench.${prefix}.${event}.v1`);

export interface Reading {
  topic: string;
  key: string;
  value: string;
  label: string;
}

const fixed = (n: number, digits: number) => Number(n.toFixed(digits));

function fields(event: (typeof EVENTS)[number], i: number): Record<string, unknown> {
  const wave = Math.sin(i / 97);
  switch (event) {
    case 'humidity':
      return { humidity: fixed(55 + 30 * wave, 2) };
    case 'temperature':
      return { temperature: fixed(12 + 15 * wave, 2) };
    case 'location':
      return { lat: fixed(48.137154 + wave / 100, 6), lon: fixed(11.576124 - wave / 100, 6) };
    case 'state':
      return { rssi: -60 - (i % 40), snr: fixed(7.5 + wave, 1), battery: fixed(80 - (i % 800) / 10, 1), online: true };
  }
}

/** Record i of the workload whose topics are `topics` (as topicsOf gives them). */
export function reading(topics: string[], i: number): Reading {
  const e = i % EVENTS.length;
  const device = Math.floor(i / EVENTS.length) % DEVICES;
  const env = 'production';
  const tenant = `tenant-${String(device % TENANTS).padStart(3, '0')}-eu-central-1`;
  const deviceId = `sensor-${String(device).padStart(6, '0')}-rev-c-2024`;
  const eventTime = new Date(EPOCH_MS + i * 10).toISOString();
  const value = { env, tenant, deviceId, eventTime, ...fields(EVENTS[e]!, i), seq: Math.floor(i / (EVENTS.length * DEVICES)), ingestedAt: EPOCH_MS + i * 10 + 35 };
  return { topic: topics[e]!, key: `${env}|${tenant}|${deviceId}`, value: JSON.stringify(value), label: EVENTS[e]! };
}

/** How many of records 0..count-1 each partition must receive: topic → count per partition. */
export function expectedPartitions(topics: string[], count: number): Record<string, number[]> {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));
  const counts = Object.fromEntries(topics.map((t) => [t, new Array<number>(PARTITIONS).fill(0)]));
  for (let i = 0; i < count; i++) {
    const { topic, key, value } = reading(topics, i);
    counts[topic]![partitioner({ topic, partitionMetadata, message: { key, value } })]! += 1;
  }
  return counts;
}
