-- Per env, tenant and pixel with dark noise: its noise hits over all runs, and its rate over the runs' summed
-- duration (rules in noise_map.yml).
with runs as (
    select env, tenant, count(*) as runs, sum(duration_ns) as duration_ns
    from {{ ref('stg_rich_runs') }}
    group by env, tenant
),

noise as (
    select env, tenant, ix, iy, count(*) as noise_hits, count(distinct run_id) as noisy_runs
    from {{ ref('stg_rich_hits') }}
    where is_noise
    group by env, tenant, ix, iy
)

select
    noise.env || '|' || noise.tenant || '|' || noise.ix || '|' || noise.iy as pixel_key,
    noise.env,
    noise.tenant,
    noise.ix,
    noise.iy,
    noise.noise_hits,
    noise.noisy_runs,
    runs.runs,
    round(runs.duration_ns::numeric / 1000000000, 9) as duration_seconds,
    round(noise.noise_hits::numeric * 1000000000 / nullif(runs.duration_ns, 0), 9) as dark_count_rate_hz
from noise
join runs on runs.env = noise.env and runs.tenant = noise.tenant
