-- Per device and local hour: number of readings, average/min/max humidity and temperature.
select
    device_key || '|' || to_char(hour_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as device_hour_key,
    env,
    tenant,
    device_id,
    hour_start,
    (hour_start at time zone '{{ var("time_zone") }}')::date as local_date,
    count(*) as readings,
    round(avg(humidity)::numeric, 2) as avg_humidity,
    min(humidity) as min_humidity,
    max(humidity) as max_humidity,
    round(avg(temperature)::numeric, 2) as avg_temperature,
    min(temperature) as min_temperature,
    max(temperature) as max_temperature
from {{ ref('stg_sensor_readings') }}
group by device_key, env, tenant, device_id, hour_start
