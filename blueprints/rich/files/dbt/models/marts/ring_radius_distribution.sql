-- Per run and 1 mm radius bin: the found rings whose fitted radius lies in it (rules in ring_distributions.yml).
with found as (
    select env, tenant, run_id, floor(radius)::integer as radius_bin_mm
    from {{ ref('stg_rich_rings') }}
    where found and radius is not null
)

select
    env || '|' || tenant || '|' || run_id || '|' || radius_bin_mm as bin_key,
    env,
    tenant,
    run_id,
    radius_bin_mm,
    radius_bin_mm + 1 as radius_bin_end_mm,
    count(*) as rings,
    round(count(*)::numeric / sum(count(*)) over (partition by env, tenant, run_id), 4) as ring_share
from found
group by env, tenant, run_id, radius_bin_mm
