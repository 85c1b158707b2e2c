-- Per device and local calendar day: number of readings, average/min/max humidity and temperature.
select
    device_key || '|' || to_char(local_date, 'YYYY-MM-DD') as device_day_key,
    env,
    tenant,
    device_id,
    local_date,
    count(*) as readings,
    round(avg(humidity)::numeric, 2) as avg_humidity,
    min(humidity) as min_humidity,
    max(humidity) as max_humidity,
    round(avg(temperature)::numeric, 2) as avg_temperature,
    min(temperature) as min_temperature,
    max(temperature) as max_temperature,
    min(measured_at) as first_measured_at,
    max(measured_at) as last_measured_at
from {{ ref('stg_sensor_readings') }}
group by device_key, env, tenant, device_id, local_date
