-- Per stop and route, over all service dates: arrivals, and of those with a delay the average, median, 95th
-- percentile and largest delay and the share on time; the stop's name and location from the static feed.
with arrivals as (
    select * from {{ ref('stg_stop_arrivals') }}
),

stops as (
    select * from {{ source('gtfs', 'stops') }}
),

per_stop as (
    select
        route_id,
        stop_id,
        count(*) as arrivals,
        count(delay_seconds) as delayed_arrivals,
        count(*) filter (where on_time) as on_time_arrivals,
        round(avg(delay_seconds), 2) as avg_delay_seconds,
        round((percentile_cont(0.5) within group (order by delay_seconds))::numeric, 2) as median_delay_seconds,
        round((percentile_cont(0.95) within group (order by delay_seconds))::numeric, 2) as p95_delay_seconds,
        max(delay_seconds) as max_delay_seconds
    from arrivals
    group by route_id, stop_id
)

select
    per_stop.route_id || '|' || per_stop.stop_id as route_stop_key,
    per_stop.route_id,
    per_stop.stop_id,
    stops.stop_name,
    stops.stop_lat,
    stops.stop_lon,
    per_stop.arrivals,
    per_stop.delayed_arrivals,
    per_stop.on_time_arrivals,
    round(per_stop.on_time_arrivals::numeric / nullif(per_stop.delayed_arrivals, 0), 4) as on_time_share,
    per_stop.avg_delay_seconds,
    per_stop.median_delay_seconds,
    per_stop.p95_delay_seconds,
    per_stop.max_delay_seconds
from per_stop
left join stops on stops.stop_id = per_stop.stop_id
