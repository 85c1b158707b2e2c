-- Per route, service date and local hour of the scheduled arrival: arrivals with a delay, on time (the on_time
-- flag Flink wrote), early and late (by the parameters; here, not in the staging view, so that building this model
-- alone applies changed parameters), and the delay's average, median and 95th percentile.
select
    route_id || '|' || to_char(service_date, 'YYYY-MM-DD') || '|' || scheduled_local_hour as route_hour_key,
    route_id,
    service_date,
    scheduled_local_hour,
    count(*) as arrivals,
    count(*) filter (where on_time) as on_time_arrivals,
    count(*) filter (where delay_seconds < {{ var('on_time_min_delay_seconds') }}) as early_arrivals,
    count(*) filter (where delay_seconds > {{ var('on_time_max_delay_seconds') }}) as late_arrivals,
    round(count(*) filter (where on_time)::numeric / count(*), 4) as on_time_share,
    round(avg(delay_seconds), 2) as avg_delay_seconds,
    round((percentile_cont(0.5) within group (order by delay_seconds))::numeric, 2) as p50_delay_seconds,
    round((percentile_cont(0.95) within group (order by delay_seconds))::numeric, 2) as p95_delay_seconds
from {{ ref('stg_stop_arrivals') }}
where delay_seconds is not null
group by route_id, service_date, scheduled_local_hour
