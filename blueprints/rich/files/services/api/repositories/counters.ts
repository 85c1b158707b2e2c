// Live counters of each run: the Redis hash the sink writes from rich.run-counters (key template from the
// manifest's sinks.redis, the blueprint's default otherwise). One pipelined HGETALL per request.
import type { Redis } from 'ioredis';
import { compileKeyTemplate, type KeyTemplate } from 'create-iot-platform/redis-sink';

export const DEFAULT_COUNTERS_KEY = { topic: 'rich.run-counters', key: 'rich:{env}:{tenant}:run:{run_id}' } as const;

export interface LiveCounters {
  hits: number;
  signalHits: number;
  noiseHits: number;
  tracks: number;
  ringsFound: number;
  /** The newest labelled hit or finalised track, ns since the epoch (a decimal string). */
  lastTimeNs: string | null;
}

export function countersKey(redisSinks: readonly { topic: string; key: string }[] = []): KeyTemplate {
  return compileKeyTemplate(redisSinks.find((s) => s.topic === DEFAULT_COUNTERS_KEY.topic)?.key ?? DEFAULT_COUNTERS_KEY.key);
}

const count = (hash: Record<string, string>, field: string) => {
  const n = Number(hash[field]);
  return Number.isSafeInteger(n) ? n : 0;
};

export function toCounters(hash: Record<string, string>): LiveCounters | null {
  if (Object.keys(hash).length === 0) return null;
  return {
    hits: count(hash, 'hits'),
    signalHits: count(hash, 'signal_hits'),
    noiseHits: count(hash, 'noise_hits'),
    tracks: count(hash, 'tracks'),
    ringsFound: count(hash, 'rings_found'),
    lastTimeNs: /^\d+$/.test(hash.last_time_ns ?? '') ? hash.last_time_ns! : null,
  };
}

export class CountersRepository {
  readonly redis: Redis;
  readonly key: KeyTemplate;

  constructor(redis: Redis, key: KeyTemplate) {
    this.redis = redis;
    this.key = key;
  }

  /** The live counters of each run (null for a run Redis has none of), in the order of `runIds`. */
  async of(env: string, tenant: string, runIds: string[]): Promise<(LiveCounters | null)[]> {
    if (runIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const runId of runIds) pipeline.hgetall(this.key.fill({ env, tenant, run_id: runId })!);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, value]) => {
      if (error) throw error;
      return toCounters((value ?? {}) as Record<string, string>);
    });
  }
}
