-- Stages a snapshot's rows (new_items, registered from Arrow by write_snapshot; the
-- snapshot's row in `snapshots` already exists) with the version each row shows: the version
-- of the same item in the backlog's previous stored snapshot when nothing in it changed, else
-- a new version id after the highest stored one (is_new). Only what insert_item_rows needs is
-- kept: insert_item_versions reads the new states' columns from new_items itself.
create temporary table staged_items as
with current_snapshot as (
    select backlog
    from snapshots
    where id = $snapshot_id
),

previous_snapshot as (
    select max(s.id) as id
    from snapshots as s
    join current_snapshot as c on s.backlog = c.backlog
    where s.id <> $snapshot_id
),

previous_states as (
    select
        v.version_id,
        v.key,
        struct_pack(*columns(v.* exclude (version_id))) as state
    from item_rows as r
    join item_versions as v on r.version_id = v.version_id
    where r.snapshot_id = (select id from previous_snapshot)
),

previous as (
    select *, hash(state) as state_hash
    from previous_states
),

-- An item's state is every column of the model but those that move with the rest of the
-- backlog (see insert_item_rows.sql): compared whole, so a column added to the model and to
-- item_versions is compared too. Nulls compare equal, as `is not distinct from` does.
new_items_states as (
    select
        *,
        struct_pack(*columns(* exclude (row_number, rank, is_backlog, rank_position))) as state
    from new_items
),

new_states as (
    select *, hash(state) as state_hash
    from new_items_states
),

matched as (
    select n.row_number, n.rank, n.is_backlog, n.rank_position, p.version_id as previous_version
    from new_states as n
    left join previous as p
      on n.key = p.key
     and n.state_hash = p.state_hash
     and n.state is not distinct from p.state
),

last_version as (
    select coalesce(max(version_id), 0) as id
    from item_versions
),

final as (
    select
        m.row_number,
        m.rank,
        m.is_backlog,
        m.rank_position,
        previous_version is null as is_new,
        -- A new state's id: the last stored id plus its place among the new states in row
        -- order (a row_number per partition: a filtered running count is far slower).
        coalesce(
            previous_version,
            (select id from last_version)
            + row_number() over (partition by previous_version is null order by row_number)
        ) as version_id
    from matched as m
)

select * from final
