-- The rows of several snapshots at once (for history): per snapshot, backlog items first
-- in rank order, then the others in source order.
with final as (
    select
        * exclude (description_raw),
        null::varchar as description_raw
    from items
    where list_contains($snapshot_ids, snapshot_id)
    order by snapshot_id, is_backlog desc, rank_position, row_number
)

select * from final
