with selected as (
    select *
    from snapshots
    where $backlog is null or backlog = $backlog
),

final as (
    select
        id,
        backlog,
        taken_at,
        source_kind,
        source_name,
        content_hash,
        row_count,
        backlog_items,
        ingested_at
    from selected
    order by backlog, taken_at, id
)

select * from final
