-- Consecutive arrivals of one route at one stop on one service date, in arrival order: the actual headway and the
-- scheduled one (rules in stop_headways.yml).
with arrivals as (
    select * from {{ ref('stg_stop_arrivals') }}
),

stop_times as (
    select * from {{ source('gtfs', 'stop_times') }}
),

frequencies as (
    select * from {{ source('gtfs', 'frequencies') }}
),

paired as (
    select
        arrivals.*,
        lag(trip_id) over visits as previous_trip_id,
        lag(vehicle_id) over visits as previous_vehicle_id,
        lag(arrival_time) over visits as previous_arrival_time,
        lag(scheduled_arrival_time) over visits as previous_scheduled_arrival_time
    from arrivals
    window visits as (partition by route_id, stop_id, service_date order by arrival_time, trip_id, stop_sequence)
),

-- the stop's offset in its trip's template: a frequency trip's stop times count from its first stop
template_offsets as (
    select
        trip_id,
        stop_sequence,
        coalesce(arrival_time, departure_time)
            - min(coalesce(arrival_time, departure_time)) over (partition by trip_id) as offset_seconds
    from stop_times
),

unscheduled_windows as (
    select
        paired.trip_id,
        paired.service_date,
        paired.stop_sequence,
        frequencies.headway_secs
    from paired
    join template_offsets
      on template_offsets.trip_id = paired.trip_id and template_offsets.stop_sequence = paired.stop_sequence
    join frequencies
      on frequencies.trip_id = paired.trip_id
     and coalesce(frequencies.exact_times, 0) = 0
     and paired.arrival_service_seconds - template_offsets.offset_seconds >= frequencies.start_time
     and paired.arrival_service_seconds - template_offsets.offset_seconds < frequencies.end_time
)

select
    paired.route_id || '|' || paired.stop_id || '|' || to_char(paired.service_date, 'YYYY-MM-DD') || '|'
        || paired.trip_id || '|' || paired.stop_sequence as headway_key,
    paired.route_id,
    paired.stop_id,
    paired.service_date,
    paired.trip_id,
    paired.stop_sequence,
    paired.vehicle_id,
    paired.arrival_time,
    paired.previous_trip_id,
    paired.previous_vehicle_id,
    paired.previous_arrival_time,
    coalesce(paired.headway_seconds, extract(epoch from paired.arrival_time - paired.previous_arrival_time)::integer)
        as actual_headway_seconds,
    coalesce(
        extract(epoch from paired.scheduled_arrival_time - paired.previous_scheduled_arrival_time)::integer,
        unscheduled_windows.headway_secs
    ) as scheduled_headway_seconds
from paired
left join unscheduled_windows
  on unscheduled_windows.trip_id = paired.trip_id
 and unscheduled_windows.service_date = paired.service_date
 and unscheduled_windows.stop_sequence = paired.stop_sequence
where paired.previous_arrival_time is not null
