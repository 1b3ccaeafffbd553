-- Snapshots for a Parquet export, with the partition columns (backlog, snapshot_date);
-- $backlog null exports every backlog.
with chosen as (
    select *
    from snapshots
    where $backlog is null or backlog = $backlog
),

final as (
    select *, cast(taken_at as date) as snapshot_date
    from chosen
    order by id
)

select * from final
