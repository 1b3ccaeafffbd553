-- What changed from snapshot P to snapshot S, for every step of a history at once: growth's
-- flows and the backlog's median age (growth.py), and what churn measures (churn.py: RBO and
-- Kendall tau are computed from `common_previous_positions`). One row per step, in the order given.
--
-- Reads: snapshots (id, taken_at), items (key, summary, status_category, is_backlog,
-- rank_position, created).
-- Chooses: $snapshot_ids (each step's S, each once), $previous_ids (its P, or null: no P; the
-- same length), $top_ns (churn's top N of each step: S's near-term size; the same length),
-- $movers (how many of the biggest moves to list).
-- Rank positions are 1..n over a snapshot's backlog items, so "the first N backlog items" are
-- those at positions 1..N.
with steps as (
    select
        unnest(range(1, len(cast($snapshot_ids as integer[])) + 1)) as step,
        unnest(cast($snapshot_ids as integer[])) as snapshot_id,
        unnest(cast($previous_ids as integer[])) as previous_id,
        unnest(cast($top_ns as integer[])) as top_n
),

-- What a step reads of S: its backlog items, and its Done rows (any item finished in S).
current_rows as (
    select
        s.snapshot_id,
        i.key,
        i.summary,
        case when i.is_backlog then i.rank_position end as position,
        case when i.is_backlog then i.created end as created,
        coalesce(i.status_category = 'Done', false) as done
    from steps as s
    join items as i on i.snapshot_id = s.snapshot_id
    where i.is_backlog or i.status_category = 'Done'
),

previous_backlog as (
    select s.snapshot_id, i.key, i.rank_position as previous_position
    from steps as s
    join items as i on i.snapshot_id = s.previous_id
    where i.is_backlog
),

-- Each key of S's backlog or Done rows and of P's backlog, side by side.
paired as (
    select
        coalesce(c.snapshot_id, p.snapshot_id) as snapshot_id,
        coalesce(c.key, p.key) as key,
        c.summary,
        c.position,
        coalesce(c.done, false) as done,
        p.previous_position
    from current_rows as c
    full join previous_backlog as p on c.snapshot_id = p.snapshot_id and c.key = p.key
),

flows as (
    select
        p.snapshot_id,
        count(*) filter (where p.position is not null and p.previous_position is null) as added,
        count(*) filter (where p.previous_position is not null and p.done) as finished,
        count(*) filter (where p.previous_position is not null and p.position is null and not p.done) as removed,
        count(*) filter (where p.position <= s.top_n and p.previous_position is null) as entered_top_n_new,
        count(*) filter (where p.previous_position <= s.top_n and p.done) as completed_from_top_n,
        count(*) filter (where p.previous_position <= s.top_n and p.position is null and not p.done)
            as removed_from_top_n,
        count(*) filter (where p.previous_position <= s.top_n and p.position is not null) as still_in_backlog,
        list(p.key order by p.position) filter (
            where p.position <= s.top_n and (p.previous_position is null or p.previous_position > s.top_n)
        ) as entered,
        list(p.key order by p.previous_position) filter (
            where p.previous_position <= s.top_n and p.position > s.top_n
        ) as left_top
    from paired as p
    join steps as s on p.snapshot_id = s.snapshot_id
    group by p.snapshot_id
),

-- How long ago each backlog item of S was created, at S's time (growth.py takes the median).
ages as (
    select
        c.snapshot_id,
        list(epoch_us(t.taken_at) - epoch_us(c.created)) as age_micros
    from current_rows as c
    join snapshots as t on c.snapshot_id = t.id
    where c.created is not null
    group by c.snapshot_id
),

-- The items in both backlogs: P's rank positions in S's rank order (churn.py numbers them).
common as (
    select
        snapshot_id,
        key,
        summary,
        position,
        previous_position,
        abs(position - previous_position) as distance
    from paired
    where position is not null and previous_position is not null
),

common_orders as (
    select
        snapshot_id,
        list(previous_position order by position) as common_previous_positions,
        -- the biggest moves of rank position, ties higher in S first
        max_by(
            {'key': key, 'summary': summary, 'previous_position': previous_position, 'position': position},
            (distance, -position),
            $movers
        ) filter (where distance > 0) as movers
    from common
    group by snapshot_id
),

final as (
    select
        s.snapshot_id,
        s.previous_id,
        s.top_n,
        case when s.previous_id is not null then coalesce(f.added, 0) end as added,
        case when s.previous_id is not null then coalesce(f.finished, 0) end as finished,
        case when s.previous_id is not null then coalesce(f.removed, 0) end as removed,
        coalesce(a.age_micros, []) as age_micros,
        coalesce(o.common_previous_positions, []) as common_previous_positions,
        coalesce(f.entered, []) as entered,
        coalesce(f.entered_top_n_new, 0) as entered_top_n_new,
        coalesce(f.left_top, []) as left_top_n,
        coalesce(f.completed_from_top_n, 0) as completed_from_top_n,
        coalesce(f.removed_from_top_n, 0) as removed_from_top_n,
        coalesce(f.still_in_backlog, 0) as still_in_backlog,
        coalesce(o.movers, []) as movers
    from steps as s
    left join flows as f on s.snapshot_id = f.snapshot_id
    left join ages as a on s.snapshot_id = a.snapshot_id
    left join common_orders as o on s.snapshot_id = o.snapshot_id
    order by s.step
)

select * from final
