-- A dry day's streak is 1 more than the previous calendar day's streak (0 if that day is missing or not dry);
-- a day that is not dry has streak 0. Returns the violating rows.
with days as (
    select * from {{ ref('daily_dry_days') }}
)

select today.*
from days as today
left join days as yesterday
  on  yesterday.env = today.env
  and yesterday.tenant = today.tenant
  and yesterday.device_id = today.device_id
  and yesterday.local_date = today.local_date - 1
where (today.is_dry and today.dry_streak_days <> coalesce(yesterday.dry_streak_days, 0) + 1)
   or (not today.is_dry and today.dry_streak_days <> 0)
