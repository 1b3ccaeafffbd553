with final as (
    select snapshot_id, name, state, start_date, end_date, complete_date
    from sprints
    where list_contains($snapshot_ids, snapshot_id)
    order by snapshot_id, start_date nulls last, name
)

select * from final
