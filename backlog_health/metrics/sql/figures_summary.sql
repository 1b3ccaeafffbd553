-- figures.sql's chain read in one pass by a reader of a snapshot's counts, without its items
-- (metrics/summary.py): figures_query.py puts this statement in place of figures.sql's last
-- `select`. One row per chosen snapshot: its `final` row and, as lists of structs, its near
-- rows (the `item_checks` of the near-term items and of the started work ranked above them, in
-- rank order: few, however large the backlog), its velocity's sprints (oldest first) and its
-- known duplicate pairs. One query instead of one per step, as DuckDB plans each afresh.
-- DuckDB only: Spark never reads it.
select
    f.*,
    coalesce(n.rows, []) as near_rows,
    coalesce(v.rows, []) as velocity_sprints,
    coalesce(k.rows, []) as known_duplicates
from final as f
left join (
    select i.snapshot_id, list(i order by i.rank_position) as rows
    from item_checks as i
    where i.near_term or i.started_above
    group by i.snapshot_id
) as n on f.snapshot_id = n.snapshot_id
left join (
    select v.snapshot_id, list(v order by v.recency desc) as rows
    from velocity_sprints as v
    group by v.snapshot_id
) as v on f.snapshot_id = v.snapshot_id
left join (
    select k.snapshot_id, list(k order by k.key_a, k.key_b) as rows
    from known_duplicates as k
    group by k.snapshot_id
) as k on f.snapshot_id = k.snapshot_id
order by f.backlog, f.taken_at, f.snapshot_id
