-- Per route, stop and service date: average actual and scheduled headway, and the excess wait of a passenger who
-- arrives at random: average wait sum(h^2) / (2 sum(h)), actual minus scheduled, over headways with a schedule.
with headways as (
    select * from {{ ref('stop_headways') }}
),

per_stop as (
    select
        route_id,
        stop_id,
        service_date,
        count(*) as headways,
        count(scheduled_headway_seconds) as scheduled_headways,
        avg(actual_headway_seconds) as avg_actual,
        avg(scheduled_headway_seconds) as avg_scheduled,
        sum(actual_headway_seconds) filter (where scheduled_headway_seconds is not null) as sum_actual,
        sum(actual_headway_seconds::numeric ^ 2) filter (where scheduled_headway_seconds is not null) as sum_actual_squared,
        sum(scheduled_headway_seconds) as sum_scheduled,
        sum(scheduled_headway_seconds::numeric ^ 2) as sum_scheduled_squared
    from headways
    group by route_id, stop_id, service_date
)

select
    route_id || '|' || stop_id || '|' || to_char(service_date, 'YYYY-MM-DD') as route_stop_day_key,
    route_id,
    stop_id,
    service_date,
    headways,
    scheduled_headways,
    round(avg_actual, 2) as avg_actual_headway_seconds,
    round(avg_scheduled, 2) as avg_scheduled_headway_seconds,
    round(sum_actual::numeric / nullif(sum_scheduled, 0), 4) as headway_ratio,
    round(sum_actual_squared / nullif(2 * sum_actual, 0), 2) as actual_wait_seconds,
    round(sum_scheduled_squared / nullif(2 * sum_scheduled, 0), 2) as scheduled_wait_seconds,
    round(sum_actual_squared / nullif(2 * sum_actual, 0) - sum_scheduled_squared / nullif(2 * sum_scheduled, 0), 2)
        as excess_wait_seconds
from per_stop
