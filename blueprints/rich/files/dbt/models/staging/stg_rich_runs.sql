-- One row per run that has hits: its hits, noise hits and time span (first to last hit).
select
    env,
    tenant,
    run_id,
    count(*) as hits,
    count(*) filter (where is_noise) as noise_hits,
    min(time_ns) as first_time_ns,
    max(time_ns) as last_time_ns,
    max(time_ns) - min(time_ns) as duration_ns
from {{ ref('stg_rich_hits') }}
group by env, tenant, run_id
