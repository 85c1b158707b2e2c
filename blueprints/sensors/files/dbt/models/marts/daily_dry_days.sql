-- Dry days per device: a local calendar day is dry when every humidity reading of that day is below the
-- threshold (var dry_threshold: parameters.dryThreshold of iot-platform.yaml, default 50 %, the threshold of the
-- streaming drought streak). dry_streak_days counts
-- consecutive dry calendar days up to and including local_date; a day without readings breaks the streak,
-- and a day that is not dry has dry_streak_days = 0.
with days as (
    select
        device_day_key,
        env,
        tenant,
        device_id,
        local_date,
        readings,
        min_humidity,
        max_humidity,
        max_humidity < {{ var('dry_threshold') }} as is_dry
    from {{ ref('device_daily') }}
    where max_humidity is not null
),

dry_islands as (
    -- consecutive dry dates share the same (local_date - position among the device's dry days)
    select
        device_day_key,
        local_date - (row_number() over (
            partition by env, tenant, device_id order by local_date
        ))::int as island
    from days
    where is_dry
),

streaks as (
    select
        d.device_day_key,
        row_number() over (
            partition by d.env, d.tenant, d.device_id, d.island order by d.local_date
        ) as dry_streak_days
    from (
        select days.*, dry_islands.island
        from days
        join dry_islands using (device_day_key)
    ) as d
)

select
    days.device_day_key,
    days.env,
    days.tenant,
    days.device_id,
    days.local_date,
    days.readings,
    days.min_humidity,
    days.max_humidity,
    {{ var('dry_threshold') }}::double precision as threshold,
    days.is_dry,
    coalesce(streaks.dry_streak_days, 0)::int as dry_streak_days
from days
left join streaks using (device_day_key)
