-- One row per labelled hit, with is_noise for the dark-count marts.
select
    env,
    tenant,
    run_id,
    time_ns,
    ix,
    iy,
    label,
    track_id,
    label = 'noise' as is_noise
from {{ source('rich', 'rich_hits') }}
