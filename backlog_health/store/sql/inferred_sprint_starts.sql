-- For each sprint that items of a backlog carry as their latest sprint: the first snapshot
-- where one does, and the snapshot taken just before it (null for the backlog's first
-- snapshot). The sprint started (or was planned) between the two: CSV exports carry sprint
-- names only, so this window is what the snapshots can tell.
with backlog_snapshots as (
    select id, taken_at, row_number() over (order by taken_at, id) as step
    from snapshots
    where backlog = $backlog
),

latest_sprints as (
    select distinct i.snapshot_id, i.sprints[len(i.sprints)] as sprint
    from items as i
    join backlog_snapshots as s on i.snapshot_id = s.id
    where len(i.sprints) > 0
),

first_seen as (
    select l.sprint, min(s.step) as first_step
    from latest_sprints as l
    join backlog_snapshots as s on l.snapshot_id = s.id
    where l.sprint is not null and l.sprint <> ''
    group by l.sprint
),

final as (
    select
        f.sprint,
        before.id as snapshot_id,
        before.taken_at as after,
        first.taken_at as by
    from first_seen as f
    join backlog_snapshots as first on first.step = f.first_step
    left join backlog_snapshots as before on before.step = f.first_step - 1
    order by f.first_step, f.sprint
)

select * from final
