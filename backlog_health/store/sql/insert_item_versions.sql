-- The snapshot's rows whose item state is not stored yet (see stage_items.sql), read from
-- new_items (registered from Arrow by write_snapshot) with the version id staged for them.
insert into item_versions by name
select
    n.* exclude (row_number, rank, is_backlog, rank_position),
    s.version_id
from new_items as n
join staged_items as s on n.row_number = s.row_number
where s.is_new
