-- One row per track with its ring fit (found or not).
select
    env,
    tenant,
    run_id,
    track_id,
    x,
    y,
    vx,
    vy,
    vz,
    found,
    hits,
    centre_x,
    centre_y,
    radius,
    chi2,
    ndf,
    cherenkov_angle,
    beta
from {{ source('rich', 'rich_rings') }}
