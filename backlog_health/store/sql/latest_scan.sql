-- The most recently written snapshot of a backlog whose duplicate scan can stand in for a new
-- one (same method, down to the score kept), if any.
with scanned as (
    select s.id
    from snapshots as s
    join duplicate_scans as d on d.snapshot_id = s.id
    where s.backlog = $backlog
      and d.method = $method
      and d.min_score <= $min_score
),

final as (
    select max(id) as id
    from scanned
    having count(*) > 0
)

select * from final
