-- Per run and number of hits a found ring kept: the rings with that many (rules in ring_distributions.yml).
select
    env || '|' || tenant || '|' || run_id || '|' || hits as bin_key,
    env,
    tenant,
    run_id,
    hits,
    count(*) as rings,
    round(count(*)::numeric / sum(count(*)) over (partition by env, tenant, run_id), 4) as ring_share
from {{ ref('stg_rich_rings') }}
where found
group by env, tenant, run_id, hits
