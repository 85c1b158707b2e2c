// History in PostgreSQL (table sensor_readings, written by Flink): averages per hour, day or ISO week,
// bucketed in the project's time zone.
import type { Pool } from 'pg';

export const BUCKETS = ['hour', 'day', 'week'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** Default look-back when from/to are not given (the demo's ranges; WEEK no longer fails). */
export const DEFAULT_RANGE_SECONDS: Record<Bucket, number> = {
  hour: 24 * 3600,
  day: 30 * 86_400,
  week: 26 * 7 * 86_400,
};

export interface MetricPoint {
  ts: number;
  bucketStart: string;
  temperatureAvg: number | null;
  humidityAvg: number | null;
  readings: number;
}

export const MAX_POINTS = 10_000;

export class ReadingsRepository {
  readonly pool: Pool;
  readonly timeZone: string;

  constructor(pool: Pool, timeZone: string) {
    this.pool = pool;
    this.timeZone = timeZone;
  }

  async metrics(env: string, tenant: string, deviceId: string, bucket: Bucket, fromSec: number, toSec: number): Promise<MetricPoint[]> {
    const { rows } = await this.pool.query<{ ts: number; temperature_avg: number | null; humidity_avg: number | null; readings: number }>(
      `select extract(epoch from date_trunc($4, measured_at, $5))::float8 as ts,
              avg(temperature)::float8 as temperature_avg,
              avg(humidity)::float8 as humidity_avg,
              count(*)::int as readings
         from sensor_readings
        where env = $1 and tenant = $2 and device_id = $3
          and measured_at >= to_timestamp($6) and measured_at < to_timestamp($7)
        group by 1
        order by 1
        limit ${MAX_POINTS}`,
      [env, tenant, deviceId, bucket, this.timeZone, fromSec, toSec],
    );
    return rows.map((r) => ({
      ts: r.ts,
      bucketStart: new Date(r.ts * 1000).toISOString(),
      temperatureAvg: r.temperature_avg,
      humidityAvg: r.humidity_avg,
      readings: r.readings,
    }));
  }
}
