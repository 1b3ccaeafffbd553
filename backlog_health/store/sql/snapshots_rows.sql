-- The rows of one or more snapshots: per snapshot, backlog items first in rank order, then
-- the others in source order (metrics then take the backlog as a slice, not a sort).
with final as (
    select
        * exclude (description_raw),
        case when $with_raw then description_raw end as description_raw
    from items
    where list_contains($snapshot_ids, snapshot_id)
    order by snapshot_id, is_backlog desc, rank_position, row_number
)

select * from final
