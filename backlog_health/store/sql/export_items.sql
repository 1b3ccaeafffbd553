-- Every column of items for a Parquet export, with its snapshot's partition columns
-- (backlog, snapshot_date); $backlog null exports every backlog.
with chosen_snapshots as (
    select id, backlog, cast(taken_at as date) as snapshot_date
    from snapshots
    where $backlog is null or backlog = $backlog
),

-- Not sorted: sorting every row before writing held the whole export in memory (19.8 GB at
-- 20 M rows); readers order rows themselves.
final as (
    select s.backlog, s.snapshot_date, t.*
    from items as t
    join chosen_snapshots as s on t.snapshot_id = s.id
)

select * from final
