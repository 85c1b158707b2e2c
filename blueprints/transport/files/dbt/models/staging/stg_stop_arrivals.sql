-- One row per detected stop arrival, with the agency's time zone, the local hour of the scheduled arrival and the
-- arrival's seconds since noon minus 12 h of its service day (the GTFS clock).
with arrivals as (
    select * from {{ source('transport', 'stop_arrivals') }}
),

agencies as (
    select * from {{ source('gtfs', 'agency') }}
),

-- every agency of a GTFS feed shares one time zone
feed as (
    select min(agency_timezone) as time_zone from agencies
),

zoned as (
    select
        arrivals.*,
        coalesce(agencies.agency_timezone, feed.time_zone) as time_zone
    from arrivals
    cross join feed
    left join agencies on arrivals.agency_id = agencies.agency_id
)

select
    agency_id,
    trip_id,
    route_id,
    vehicle_id,
    service_date,
    stop_id,
    stop_sequence,
    arrival_time,
    scheduled_arrival_time,
    delay_seconds,
    on_time,
    headway_seconds,
    time_zone,
    extract(hour from scheduled_arrival_time at time zone time_zone)::integer as scheduled_local_hour,
    -- "noon minus 12 h" of the service day: its local midnight except on daylight-saving days
    extract(epoch from arrival_time - ((service_date + time '12:00') at time zone time_zone - interval '12 hours'))::integer
        as arrival_service_seconds
from zoned
