with final as (
    select name, state, start_date, end_date, complete_date
    from sprints
    where snapshot_id = $snapshot_id
    order by start_date nulls last, name
)

select * from final
