-- One row per measurement, with the local calendar day and hour (var time_zone) the reports group by.
with source as (
    select * from {{ source('sensors', 'sensor_readings') }}
)

select
    env,
    tenant,
    device_id,
    env || '|' || tenant || '|' || device_id as device_key,
    measured_at,
    (measured_at at time zone '{{ var("time_zone") }}')::date as local_date,
    date_trunc('hour', measured_at, '{{ var("time_zone") }}') as hour_start,
    seq,
    humidity,
    temperature,
    lat,
    lon,
    rssi,
    snr,
    battery,
    online,
    to_timestamp(humidity_ingested_at / 1000.0) as ingested_at,
    inserted_at
from source
