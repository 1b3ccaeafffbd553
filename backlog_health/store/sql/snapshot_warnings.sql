with final as (
    select message
    from snapshot_warnings
    where snapshot_id = $snapshot_id
    order by position
)

select * from final
