with final as (
    select from_key, to_key, link_type, direction
    from links
    where snapshot_id = $snapshot_id
    order by from_key, link_type, direction, to_key
)

select * from final
