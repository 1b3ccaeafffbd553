-- Every column of snapshot_warnings for a Parquet export, with its snapshot's partition
-- columns (backlog, snapshot_date); $backlog null exports every backlog.
with chosen_snapshots as (
    select id, backlog, cast(taken_at as date) as snapshot_date
    from snapshots
    where $backlog is null or backlog = $backlog
),

final as (
    select s.backlog, s.snapshot_date, t.*
    from snapshot_warnings as t
    join chosen_snapshots as s on t.snapshot_id = s.id
    order by t.snapshot_id, t.position
)

select * from final
