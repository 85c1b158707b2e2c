-- Per run: the dark-count rate of the whole photodetector and of one pixel on average (rules in
-- dark_count_rates.yml).
select
    env || '|' || tenant || '|' || run_id as run_key,
    env,
    tenant,
    run_id,
    hits,
    noise_hits,
    first_time_ns,
    last_time_ns,
    round(duration_ns::numeric / 1000000000, 9) as duration_seconds,
    round(noise_hits::numeric * 1000000000 / nullif(duration_ns, 0), 9) as dark_count_rate_hz,
    round(
        noise_hits::numeric * 1000000000
            / nullif(duration_ns::numeric * {{ var('pixels_per_side') }} * {{ var('pixels_per_side') }}, 0),
        9
    ) as dark_count_rate_per_pixel_hz
from {{ ref('stg_rich_runs') }}
