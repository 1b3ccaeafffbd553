-- new_items is the snapshot's item table, registered from Arrow by write_snapshot.
insert into items
select $snapshot_id as snapshot_id, new_items.*
from new_items
