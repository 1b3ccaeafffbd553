-- The most recently written snapshot of a backlog whose duplicate scan a new one can build on
-- (same method, down to the score kept, same number per item), with the snapshot its text model
-- was fitted on and whether the global cap cut its pairs; no row if none.
with scanned as (
    select s.id, d.model_snapshot_id, d.capped
    from snapshots as s
    join duplicate_scans as d on d.snapshot_id = s.id
    where s.backlog = $backlog
      and d.method = $method
      and d.min_score <= $min_score
      and d.per_item = $per_item
      and d.model_snapshot_id is not null
),

final as (
    select id, model_snapshot_id, capped
    from scanned
    order by id desc
    limit 1
)

select * from final
