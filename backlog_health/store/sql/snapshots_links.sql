with final as (
    select snapshot_id, from_key, to_key, link_type, direction
    from links
    where list_contains($snapshot_ids, snapshot_id)
    order by snapshot_id, from_key, link_type, direction, to_key
)

select * from final
