-- What changed from snapshot P to snapshot S, for every step of a history at once: growth's
-- flows and the ages of S's backlog items (growth.py takes their median), and what churn
-- measures (churn.py: RBO and Kendall tau come from `common_previous_positions`). One row per
-- step, in the order given.
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
        case when i.is_backlog then epoch_us(t.taken_at) - epoch_us(i.created) end as age_micros,
        coalesce(i.status_category = 'Done', false) as done
    from steps as s
    join snapshots as t on s.snapshot_id = t.id
    join items as i on i.snapshot_id = s.snapshot_id
    where i.is_backlog or i.status_category = 'Done'
),

previous_backlog as (
    select s.snapshot_id, i.key, i.rank_position as previous_position
    from steps as s
    join items as i on i.snapshot_id = s.previous_id
    where i.is_backlog
),

-- Each key of S's backlog or Done rows and of P's backlog, side by side, with the step's top N.
paired as (
    select
        s.snapshot_id,
        s.top_n,
        coalesce(c.key, p.key) as key,
        c.summary,
        c.position,
        c.age_micros,
        coalesce(c.done, false) as done,
        p.previous_position,
        c.position is not null and p.previous_position is not null as common,
        abs(c.position - p.previous_position) as distance
    from current_rows as c
    full join previous_backlog as p on c.snapshot_id = p.snapshot_id and c.key = p.key
    join steps as s on s.snapshot_id = coalesce(c.snapshot_id, p.snapshot_id)
),

changes as (
    select
        snapshot_id,
        count(*) filter (where position is not null and previous_position is null) as added,
        count(*) filter (where previous_position is not null and done) as finished,
        count(*) filter (where previous_position is not null and position is null and not done) as removed,
        -- how long before S each of its backlog items was created
        list(age_micros) filter (where age_micros is not null) as age_micros,
        -- the items in both backlogs: P's rank positions, in S's rank order
        list(previous_position order by position) filter (where common) as common_previous_positions,
        -- churn's top N of both: entered, left, completed, removed
        list(key order by position) filter (
            where position <= top_n and (previous_position is null or previous_position > top_n)
        ) as entered,
        count(*) filter (where position <= top_n and previous_position is null) as entered_top_n_new,
        list(key order by previous_position) filter (where previous_position <= top_n and position > top_n)
            as left_top_n,
        count(*) filter (where previous_position <= top_n and done) as completed_from_top_n,
        count(*) filter (where previous_position <= top_n and position is null and not done) as removed_from_top_n,
        count(*) filter (where previous_position <= top_n and position is not null) as still_in_backlog,
        -- the biggest moves of rank position, ties higher in S first
        max_by(
            {'key': key, 'summary': summary, 'previous_position': previous_position, 'position': position},
            (distance, -position),
            $movers
        ) filter (where common and distance > 0) as movers
    from paired
    group by snapshot_id
),

final as (
    select
        s.snapshot_id,
        s.previous_id,
        s.top_n,
        case when s.previous_id is not null then coalesce(c.added, 0) end as added,
        case when s.previous_id is not null then coalesce(c.finished, 0) end as finished,
        case when s.previous_id is not null then coalesce(c.removed, 0) end as removed,
        coalesce(c.age_micros, []) as age_micros,
        coalesce(c.common_previous_positions, []) as common_previous_positions,
        coalesce(c.entered, []) as entered,
        coalesce(c.entered_top_n_new, 0) as entered_top_n_new,
        coalesce(c.left_top_n, []) as left_top_n,
        coalesce(c.completed_from_top_n, 0) as completed_from_top_n,
        coalesce(c.removed_from_top_n, 0) as removed_from_top_n,
        coalesce(c.still_in_backlog, 0) as still_in_backlog,
        coalesce(c.movers, []) as movers
    from steps as s
    left join changes as c on s.snapshot_id = c.snapshot_id
    order by s.step
)

select * from final
