with current_snapshot as (
    select backlog, taken_at, id
    from snapshots
    where id = $snapshot_id
),

earlier as (
    select s.id, s.taken_at
    from snapshots as s
    join current_snapshot as c on s.backlog = c.backlog
    where s.taken_at < c.taken_at
       or (s.taken_at = c.taken_at and s.id < c.id)
),

final as (
    select id
    from earlier
    order by taken_at desc, id desc
    limit 1
)

select * from final
