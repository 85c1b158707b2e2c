// dbt marts (schema "marts", built by the dbt component): the daily dry-day report. The columns read are
// listed once, in DRY_DAYS; a missing schema or table means dbt has not run (or is not enabled).
import type { Pool } from 'pg';

export const DRY_DAYS = {
  table: 'marts.daily_dry_days',
  deviceId: 'device_id',
  env: 'env',
  tenant: 'tenant',
  day: 'local_date',
  isDryDay: 'is_dry',
  dryStreakDays: 'dry_streak_days',
} as const;

export interface DryDayRow {
  deviceId: string;
  env: string;
  tenantId: string;
  day: string;
  isDryDay: boolean;
  dryStreakDays: number;
}

export class MartsUnavailableError extends Error {
  readonly statusCode = 404;
}

const UNDEFINED_TABLE = '42P01';
const INVALID_SCHEMA = '3F000';

export interface DryDaysQuery {
  env: string;
  tenant: string;
  deviceId?: string;
  from: string;
  to: string;
  /** Keyset: rows after (day, deviceId). */
  after?: { day: string; deviceId: string };
  limit: number;
}

export class MartsRepository {
  readonly pool: Pool;

  constructor(pool: Pool) {
    this.pool = pool;
  }

  async dryDays(q: DryDaysQuery): Promise<DryDayRow[]> {
    const c = DRY_DAYS;
    try {
      const { rows } = await this.pool.query<{ device_id: string; env: string; tenant: string; day: string; is_dry_day: boolean; dry_streak_days: number }>(
        `select ${c.deviceId} as device_id, ${c.env} as env, ${c.tenant} as tenant, ${c.day}::date::text as day,
                ${c.isDryDay}::boolean as is_dry_day, coalesce(${c.dryStreakDays}, 0)::float8 as dry_streak_days
           from ${c.table}
          where ${c.env} = $1 and ${c.tenant} = $2
            and ($3::text is null or ${c.deviceId} = $3)
            and ${c.day}::date between $4::date and $5::date
            and ($6::date is null or (${c.day}::date, ${c.deviceId}) > ($6::date, $7::text))
          order by ${c.day}::date, ${c.deviceId}
          limit $8`,
        [q.env, q.tenant, q.deviceId ?? null, q.from, q.to, q.after?.day ?? null, q.after?.deviceId ?? '', q.limit],
      );
      return rows.map((r) => ({
        deviceId: r.device_id,
        env: r.env,
        tenantId: r.tenant,
        day: r.day,
        isDryDay: r.is_dry_day,
        dryStreakDays: r.dry_streak_days,
      }));
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === UNDEFINED_TABLE || code === INVALID_SCHEMA) {
        throw new MartsUnavailableError(
          `the dbt report ${DRY_DAYS.table} does not exist yet; run dbt (enable the dbt component and run "dbt build")`,
        );
      }
      throw error;
    }
  }
}
