-- Every staged row of the snapshot, pointing at the version it shows (see stage_items.sql).
insert into item_rows
select $snapshot_id as snapshot_id, row_number, version_id, rank, is_backlog, rank_position
from staged_items
