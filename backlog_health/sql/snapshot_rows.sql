with final as (
    select * exclude (snapshot_id)
    from items
    where snapshot_id = $snapshot_id
    order by row_number
)

select * from final
