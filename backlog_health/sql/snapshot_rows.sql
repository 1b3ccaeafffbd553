-- Backlog items first, in rank order, then every other row in source order: metrics take
-- the backlog as a slice instead of sorting the whole snapshot again.
with final as (
    select
        * exclude (snapshot_id, description_raw),
        case when $with_raw then description_raw end as description_raw
    from items
    where snapshot_id = $snapshot_id
    order by is_backlog desc, rank_position, row_number
)

select * from final
