with final as (
    select
        * exclude (snapshot_id, description_raw),
        case when $with_raw then description_raw end as description_raw
    from items
    where snapshot_id = $snapshot_id
    order by row_number
)

select * from final
