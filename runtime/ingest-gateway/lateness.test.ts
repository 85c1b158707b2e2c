// Late records (events.<name>.lateness) through the gateway's ingest path: the RICH hits event, whose records carry
// nanosecond times beyond a double's exact integers.
import { describe, expect, it } from 'vitest';
import { encodeHits } from '../rich-simulator/wire.ts';
import { createManifest } from '../../manifest/create.ts';
import type { EventDefinition } from '../service-kit/manifest.ts';
import { Ingest } from './ingest.ts';
import type { OutRecord } from './kafka-batcher.ts';

// The rich blueprint's hits event as a new project gets it (lateness: none behind the newest of its run), and the
// same with 1 s allowed.
const blueprintHits = createManifest({ blueprint: 'rich', name: 'p', components: ['redis'], deploy: ['native'] }).events.hits as EventDefinition;
const hits: EventDefinition = { ...blueprintHits, lateness: { ...blueprintHits.lateness!, allowedMs: 1000 } };

const T = 1_767_225_600_000_000_123n; // ns: 2026-01-01T00:00:00.000000123Z

function gateway(event = hits) {
  const queued: OutRecord[] = [];
  const ingest = new Ingest({ hits: event }, 'rich.dlq', (r) => queued.push(r));
  const send = (runId: string, ...times: bigint[]) =>
    ingest.accept({
      event: 'hits', source: 'mqtt', origin: `e2e/t1/rich/${runId}/hits`, receivedAt: 0,
      payload: encodeHits(times.map((timeNs, i) => ({ ix: i, iy: 7, timeNs }))), context: { env: 'e2e', tenant: 't1', runId },
    });
  return { queued, send };
}

describe('late records', () => {
  it('dead-letters a record more than allowedMs behind the newest of its key, with the reason; within it, passes', () => {
    const { queued, send } = gateway();
    expect(send('r1', T, T + 2_000_000_000n)).toEqual({ queued: 2, rejected: [] });
    const late = T + 2_000_000_000n - 1_000_000_001n; // 1 ms and 1 ns behind the newest
    const inTime = T + 2_000_000_000n - 1_000_000_000n; // exactly the allowed lateness behind
    expect(send('r1', late, inTime)).toEqual({
      queued: 1,
      rejected: [`hits: record 0: late: its time ${late} ns is 1000000001 ns behind the newest of key e2e|t1|r1 (${T + 2_000_000_000n} ns), beyond the allowed 1000 ms`],
    });
    expect(queued.map((r) => r.topic)).toEqual(['rich.hits.v1', 'rich.hits.v1', 'rich.dlq', 'rich.hits.v1']);
    const passed = queued.filter((r) => r.topic === 'rich.hits.v1').map((r) => JSON.parse(r.value) as { timeSec: number; timeNanosec: number });
    expect(passed.map((v) => BigInt(v.timeSec) * 1_000_000_000n + BigInt(v.timeNanosec))).toEqual([T, T + 2_000_000_000n, inTime]);
  });

  it('the RICH blueprint lets no record behind the newest of its run through (Flink would drop it without a trace)', () => {
    const { send } = gateway(blueprintHits);
    expect(send('r1', T + 10n, T + 10n)).toEqual({ queued: 2, rejected: [] }); // at the newest time: not behind it
    expect(send('r1', T + 9n).rejected).toEqual([`hits: record 0: late: its time ${T + 9n} ns is 1 ns behind the newest of key e2e|t1|r1 (${T + 10n} ns), beyond the allowed 0 ms`]);
  });

  it('keeps each key apart, and a late record does not move the newest time back', () => {
    const { send } = gateway();
    send('r1', T + 5_000_000_000n);
    expect(send('r2', T)).toEqual({ queued: 1, rejected: [] });
    expect(send('r1', T).rejected).toHaveLength(1);
    expect(send('r1', T + 4_500_000_000n)).toEqual({ queued: 1, rejected: [] });
    expect(send('r1', T + 3_900_000_000n).rejected).toHaveLength(1);
  });
});
