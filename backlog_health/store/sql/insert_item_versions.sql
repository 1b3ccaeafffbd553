-- The staged rows whose item state is not stored yet (see stage_items.sql).
insert into item_versions by name
select * exclude (row_number, rank, is_backlog, rank_position, is_new)
from staged_items
where is_new
