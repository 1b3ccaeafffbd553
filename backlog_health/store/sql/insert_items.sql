-- new_items is the snapshot's item table, registered from Arrow by write_snapshot; for stores
-- before schema version 4 (whose `items` is a table, see migrations/004_item_versions.sql).
insert into items
select $snapshot_id as snapshot_id, new_items.*
from new_items
