-- Per run and pixel with dark noise: its noise hits over the run's duration (rules in dark_count_rates.yml).
with noise as (
    select env, tenant, run_id, ix, iy, count(*) as noise_hits
    from {{ ref('stg_rich_hits') }}
    where is_noise
    group by env, tenant, run_id, ix, iy
)

select
    noise.env || '|' || noise.tenant || '|' || noise.run_id || '|' || noise.ix || '|' || noise.iy as pixel_key,
    noise.env,
    noise.tenant,
    noise.run_id,
    noise.ix,
    noise.iy,
    noise.noise_hits,
    round(runs.duration_ns::numeric / 1000000000, 9) as duration_seconds,
    round(noise.noise_hits::numeric * 1000000000 / nullif(runs.duration_ns, 0), 9) as dark_count_rate_hz
from noise
join {{ ref('stg_rich_runs') }} as runs
  on runs.env = noise.env and runs.tenant = noise.tenant and runs.run_id = noise.run_id
