-- For each sprint of a backlog with a known start, its start and the last snapshot taken before
-- it or at its start (a snapshot rebuilt from Jira's changelog is taken at the sprint's start).
with backlog_snapshots as (
    select id, taken_at
    from snapshots
    where backlog = $backlog
),

sprint_starts as (
    select sp.name, max(sp.start_date) as start_date
    from sprints as sp
    join backlog_snapshots as s on sp.snapshot_id = s.id
    where sp.start_date is not null
    group by sp.name
),

matched as (
    select
        st.name as sprint,
        st.start_date,
        (
            select s.id
            from backlog_snapshots as s
            where s.taken_at <= st.start_date
            order by s.taken_at desc, s.id desc
            limit 1
        ) as snapshot_id
    from sprint_starts as st
),

final as (
    select sprint, snapshot_id, start_date
    from matched
    order by start_date, sprint
)

select * from final
