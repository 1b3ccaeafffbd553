with snapshot_rows as (
    select *
    from items
    where snapshot_id = $snapshot_id
      and ($all_rows or is_backlog)
),

final as (
    select * exclude (snapshot_id)
    from snapshot_rows
    order by
        case when is_backlog then 0 else 1 end,
        rank_position,
        row_number
)

select * from final
