-- The headline figures of snapshots, defined once: the near term, the readiness checks of
-- every backlog item, readiness, estimate coverage, linked duplicates and aging. The CLI, the
-- dashboard, the history and the portfolio read them from here; the same text runs on DuckDB
-- (the store, an export folder, or a snapshot's frames) and, transpiled by sqlglot, on Spark
-- over the Parquet export (see figures.py).
--
-- Reads: snapshots (id, backlog, taken_at), items (the store's view, with the text facts
-- description_words and acceptance_found), links, sprints, duplicate_decisions.
-- Chooses: $backlog (null: every backlog), $snapshot_id (null: every snapshot), $latest_only.
-- The rules: $mode ('auto' | 'count' | 'points'), $count, $sprints, $window (velocity sprints),
-- $velocity (null: the one the snapshot's sprints show),
-- $planned, $include_started, $check_* (the built-in checks), $min_words, $acceptance_fields,
-- $max_points, $stale_days, $old_days. The rules' own checks are columns of `custom_checks`,
-- which figures.py writes from the rules (one boolean per check, and `custom_ready`).
with ranked_snapshots as (
    select
        id as snapshot_id,
        backlog,
        taken_at,
        row_number() over (partition by backlog order by taken_at desc, id desc) as recency
    from snapshots
    where ($backlog is null or backlog = $backlog)
      and ($snapshot_id is null or id = $snapshot_id)
),

chosen as (
    select snapshot_id, backlog, taken_at
    from ranked_snapshots
    where not $latest_only or recency = 1
),

-- Every row of the chosen snapshots.
-- Every column the figures read; the texts stay behind (their facts are columns of their own).
-- figures.py adds a column a rules' own check names that is not listed here.
snapshot_rows as (
    select
        i.snapshot_id, i.row_number, i.key, i.issue_type, i.is_subtask, i.is_epic, i.status,
        i.status_category, i.resolution, i.story_points, i.original_estimate_seconds, i.assignee,
        i.reporter, i.priority, i.labels, i.components, i.fix_versions, i.sprints, i.parent_key,
        i.created, i.updated, i.resolved, i.due, i.rank, i.is_backlog, i.rank_position,
        i.custom_fields, i.description_words, i.acceptance_found
    from items as i
    join chosen as c on i.snapshot_id = c.snapshot_id
),

-- Velocity: mean completed points of the last $window completed sprints. An item's points
-- count for the last sprint in its list; sub-tasks and epics are left out.
work_items as (
    select
        snapshot_id,
        status_category,
        story_points,
        resolved,
        is_backlog,
        rank_position,
        row_number,
        case when coalesce(array_length(sprints), 0) > 0 then sprints[array_length(sprints)] end as last_sprint
    from snapshot_rows
    where not coalesce(is_subtask, false) and not coalesce(is_epic, false)
),

-- Work finished in a sprint, numbered as a snapshot is read (backlog items first in rank order,
-- then the rest in source order): the sprint whose work appears later wins a tie below.
finished_work as (
    select
        snapshot_id,
        last_sprint,
        story_points,
        resolved,
        row_number() over (
            partition by snapshot_id
            order by case when is_backlog then 0 else 1 end, rank_position, row_number
        ) as read_position
    from work_items
    where status_category = 'Done' and last_sprint is not null
),

sprint_points as (
    select
        snapshot_id,
        last_sprint as sprint,
        sum(coalesce(story_points, 0)) as points,
        max(resolved) as latest_resolved,
        min(read_position) as appearance
    from finished_work
    group by snapshot_id, last_sprint
),

-- Sprints still holding an open item as its latest sprint: probably still running.
running_sprints as (
    select distinct snapshot_id, last_sprint as sprint
    from work_items
    where status_category is distinct from 'Done' and last_sprint is not null
),

snapshot_sprints as (
    select s.*
    from sprints as s
    join chosen as c on s.snapshot_id = c.snapshot_id
),

with_states as (
    select snapshot_id
    from snapshot_sprints
    group by snapshot_id
    having count(state) > 0
),

-- With sprint states: the closed sprints, latest completion (else end, else start) last.
closed_order as (
    select
        s.snapshot_id,
        s.name as sprint,
        row_number() over (
            partition by s.snapshot_id
            order by
                coalesce(s.complete_date, s.end_date, s.start_date) desc nulls first,
                s.start_date desc nulls first,
                s.name desc
        ) as recency
    from snapshot_sprints as s
    join with_states as w on s.snapshot_id = w.snapshot_id
    where s.state = 'closed'
),

-- Without: the sprints items were finished in, by their latest resolution, leaving out the
-- running ones.
finished_order as (
    select
        p.snapshot_id,
        p.sprint,
        row_number() over (
            partition by p.snapshot_id
            order by
                case when p.latest_resolved is null then 1 else 0 end desc,
                p.latest_resolved desc,
                p.appearance desc
        ) as recency
    from sprint_points as p
    left join with_states as w on p.snapshot_id = w.snapshot_id
    left join running_sprints as r on p.snapshot_id = r.snapshot_id and p.sprint = r.sprint
    where w.snapshot_id is null and r.sprint is null
),

velocity_sprints as (
    select o.snapshot_id, o.sprint, o.recency, coalesce(p.points, 0) as points
    from (
        select snapshot_id, sprint, recency from closed_order
        union all
        select snapshot_id, sprint, recency from finished_order
    ) as o
    left join sprint_points as p on o.snapshot_id = p.snapshot_id and o.sprint = p.sprint
    where o.recency <= $window
),

velocity as (
    select snapshot_id, avg(points) as velocity
    from velocity_sprints
    group by snapshot_id
),

-- The backlog (open, ranked work) and the pool the near term is taken from: items not yet
-- started, or every one with $include_started.
backlog as (
    select *, coalesce(status_category = 'In Progress', false) as started
    from snapshot_rows
    where is_backlog
),

pool as (
    select *
    from backlog
    where $include_started or not started
),

pool_median as (
    select snapshot_id, median(story_points) as median_points
    from pool
    group by snapshot_id
),

planning_velocity as (
    select c.snapshot_id, coalesce(cast($velocity as double), v.velocity) as velocity
    from chosen as c
    left join velocity as v on c.snapshot_id = v.snapshot_id
),

planning as (
    select
        c.snapshot_id,
        v.velocity,
        m.median_points,
        case
            when $mode <> 'count' and coalesce(v.velocity, 0) > 0 and m.median_points is not null
                then 'points'
            else 'count'
        end as mode,
        $sprints * v.velocity as capacity_points
    from chosen as c
    join planning_velocity as v on c.snapshot_id = v.snapshot_id
    left join pool_median as m on c.snapshot_id = m.snapshot_id
),

-- An unestimated item counts as the pool's median estimate (0 when nothing is estimated).
sized_pool as (
    select
        p.snapshot_id,
        p.key,
        p.rank_position,
        coalesce(p.story_points, m.median_points, 0) as points_or_median,
        row_number() over (partition by p.snapshot_id order by p.rank_position) as pool_position
    from pool as p
    left join pool_median as m on p.snapshot_id = m.snapshot_id
),

cumulative_pool as (
    select
        *,
        coalesce(
            sum(points_or_median) over (
                partition by snapshot_id order by pool_position
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as points_before
    from sized_pool
),

open_sprints as (
    select distinct snapshot_id, name
    from snapshot_sprints
    where state in ('active', 'future')
),

-- Near term: the top $count (count mode), or from the top until the cumulative estimate
-- reaches $sprints x velocity, the crossing item included (points mode); with $planned, also
-- items whose latest sprint is active or future.
near_term as (
    select s.snapshot_id, s.key, s.rank_position
    from cumulative_pool as s
    join planning as p on s.snapshot_id = p.snapshot_id
    join backlog as b on s.snapshot_id = b.snapshot_id and s.key = b.key
    left join open_sprints as o
      on b.snapshot_id = o.snapshot_id
     and b.sprints[array_length(b.sprints)] = o.name
     and coalesce(array_length(b.sprints), 0) > 0
    where (p.mode = 'count' and s.pool_position <= $count)
       or (p.mode = 'points' and s.points_before < p.capacity_points)
       or ($planned and o.name is not null)
),

near_end as (
    select snapshot_id, count(*) as near_items, max(rank_position) as last_position
    from near_term
    group by snapshot_id
),

sub_task_parents as (
    select distinct snapshot_id, parent_key as key
    from snapshot_rows
    where is_subtask and parent_key is not null
),

-- (key, blocker): `key` is blocked by `blocker`, as either side of a Blocks link says.
blockers as (
    select l.snapshot_id, l.from_key as key, l.to_key as blocker
    from links as l
    join chosen as c on l.snapshot_id = c.snapshot_id
    where l.link_type = 'Blocks' and l.direction = 'inward'
    union
    select l.snapshot_id, l.to_key as key, l.from_key as blocker
    from links as l
    join chosen as c on l.snapshot_id = c.snapshot_id
    where l.link_type = 'Blocks' and l.direction = 'outward'
),

-- The blockers still open (any row of the snapshot not Done), and the items they block.
open_blockers as (
    select distinct b.snapshot_id, b.key, b.blocker
    from blockers as b
    join snapshot_rows as r on b.snapshot_id = r.snapshot_id and b.blocker = r.key
    where r.status_category is distinct from 'Done'
),

blocked as (
    select distinct snapshot_id, key
    from open_blockers
),

named_acceptance as (
    select distinct snapshot_id, key
    from (
        select snapshot_id, key, unnest(map_entries(custom_fields)) as field
        from backlog
    ) as fields
    where list_contains($acceptance_fields, field.key) and trim(coalesce(field.value, '')) <> ''
),

-- The rules' own checks: figures.py writes a boolean column per check here, and
-- `custom_ready` (every one passes).
custom_checks as (
    select snapshot_id as custom_snapshot_id, key as custom_key, true as custom_ready
    from backlog
),

-- Every backlog item with each built-in check, whether it is ready, near term, or started
-- work ranked above the near term.
judged as (
    select
        b.snapshot_id,
        b.key,
        b.rank_position,
        b.started,
        n.key is not null as near_term,
        b.started and not $include_started
            and (e.last_position is null or b.rank_position < e.last_position) as started_above,
        b.story_points is not null or coalesce(b.original_estimate_seconds, 0) > 0 as estimated,
        coalesce(b.description_words, 0) >= $min_words as described,
        coalesce(b.acceptance_found, false) or a.key is not null as acceptance_criteria,
        trim(coalesce(b.assignee, '')) <> '' as assigned,
        b.story_points is null or b.story_points <= $max_points or t.key is not null as sized,
        k.key is null as unblocked,
        x.*,
        b.created,
        coalesce(b.updated, b.created) as touched
    from backlog as b
    left join near_term as n on b.snapshot_id = n.snapshot_id and b.key = n.key
    left join near_end as e on b.snapshot_id = e.snapshot_id
    left join named_acceptance as a on b.snapshot_id = a.snapshot_id and b.key = a.key
    left join sub_task_parents as t on b.snapshot_id = t.snapshot_id and b.key = t.key
    left join blocked as k on b.snapshot_id = k.snapshot_id and b.key = k.key
    left join custom_checks as x on b.snapshot_id = x.custom_snapshot_id and b.key = x.custom_key
),

item_checks as (
    select
        j.*,
        (not $check_described or j.described)
        and (not $check_acceptance_criteria or j.acceptance_criteria)
        and (not $check_estimated or j.estimated)
        and (not $check_assigned or j.assigned)
        and (not $check_sized or j.sized)
        and (not $check_unblocked or j.unblocked)
        and j.custom_ready as ready,
        not j.near_term and not (j.started and not $include_started) as long_term,
        j.touched < c.taken_at - $stale_days * interval 1 day as stale,
        not j.near_term and not (j.started and not $include_started)
            and j.created < c.taken_at - $old_days * interval 1 day as old_long_term
    from judged as j
    join chosen as c on j.snapshot_id = c.snapshot_id
),

-- How much ready work lies at the top: the points of the consecutive ready items from the
-- top of the pool (unestimated ones counting as the median).
first_unready as (
    select s.snapshot_id, min(s.pool_position) as position
    from sized_pool as s
    join item_checks as i on s.snapshot_id = i.snapshot_id and s.key = i.key
    where not i.ready
    group by s.snapshot_id
),

ready_ahead as (
    select s.snapshot_id, sum(s.points_or_median) as points
    from sized_pool as s
    left join first_unready as f on s.snapshot_id = f.snapshot_id
    where f.position is null or s.pool_position < f.position
    group by s.snapshot_id
),

-- Duplicates known as such: pairs joined by a Duplicate link, and pairs a person confirmed,
-- both items still in the backlog (each unordered pair once, key_a < key_b).
linked_pairs as (
    select distinct l.snapshot_id, least(l.from_key, l.to_key) as key_a, greatest(l.from_key, l.to_key) as key_b
    from links as l
    join backlog as a on l.snapshot_id = a.snapshot_id and l.from_key = a.key
    join backlog as b on l.snapshot_id = b.snapshot_id and l.to_key = b.key
    where l.link_type = 'Duplicate' and l.from_key <> l.to_key
),

confirmed_pairs as (
    select c.snapshot_id, d.key_a, d.key_b
    from duplicate_decisions as d
    join chosen as c on d.backlog = c.backlog
    join backlog as a on c.snapshot_id = a.snapshot_id and d.key_a = a.key
    join backlog as b on c.snapshot_id = b.snapshot_id and d.key_b = b.key
    where d.decision = 'confirmed'
),

known_duplicates as (
    select snapshot_id, key_a, key_b from linked_pairs
    union
    select snapshot_id, key_a, key_b from confirmed_pairs
),

totals as (
    select
        snapshot_id,
        count(*) as backlog_items,
        count_if(near_term) as near_term_items,
        count_if(near_term and ready) as ready,
        count_if(started_above) as started_items,
        count_if(near_term and estimated) as near_term_estimated,
        count_if(long_term) as long_term_items,
        count_if(long_term and estimated) as long_term_estimated,
        count_if(estimated) as estimated,
        count_if(stale) as stale,
        count_if(old_long_term) as old_long_term
    from item_checks
    group by snapshot_id
),

duplicate_counts as (
    select snapshot_id, count(*) as linked
    from known_duplicates
    group by snapshot_id
),

final as (
    select
        c.backlog,
        c.snapshot_id,
        c.taken_at,
        coalesce(t.backlog_items, 0) as backlog_items,
        p.mode as near_term_mode,
        p.velocity,
        v.velocity as measured_velocity,
        p.capacity_points,
        coalesce(t.near_term_items, 0) as near_term_items,
        coalesce(t.started_items, 0) as started_items,
        coalesce(t.ready, 0) as ready,
        case when coalesce(t.near_term_items, 0) > 0 then t.ready / t.near_term_items end as ready_ratio,
        coalesce(r.points, 0) as ready_points_ahead,
        case when p.velocity <> 0 then coalesce(r.points, 0) / p.velocity end as ready_sprints_ahead,
        coalesce(t.near_term_estimated, 0) as near_term_estimated,
        coalesce(t.long_term_estimated, 0) as long_term_estimated,
        coalesce(t.long_term_items, 0) as long_term_items,
        case when t.near_term_items > 0 then t.near_term_estimated / t.near_term_items end as coverage_near_term,
        case when t.long_term_items > 0 then t.long_term_estimated / t.long_term_items end as coverage_long_term,
        case when t.backlog_items > 0 then t.estimated / t.backlog_items end as coverage_all,
        coalesce(d.linked, 0) as linked_duplicates,
        coalesce(t.stale, 0) as stale,
        coalesce(t.old_long_term, 0) as old_long_term
    from chosen as c
    join planning as p on c.snapshot_id = p.snapshot_id
    left join totals as t on c.snapshot_id = t.snapshot_id
    left join ready_ahead as r on c.snapshot_id = r.snapshot_id
    left join duplicate_counts as d on c.snapshot_id = d.snapshot_id
    left join velocity as v on c.snapshot_id = v.snapshot_id
)

select * from final
order by backlog, taken_at, snapshot_id
