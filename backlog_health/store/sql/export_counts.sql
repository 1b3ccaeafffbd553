-- The backlogs and snapshots a Parquet export will hold; $backlog null means every backlog.
with chosen as (
    select backlog
    from snapshots
    where $backlog is null or backlog = $backlog
),

final as (
    select count(*) as snapshots, list(distinct backlog order by backlog) as backlogs
    from chosen
)

select * from final
