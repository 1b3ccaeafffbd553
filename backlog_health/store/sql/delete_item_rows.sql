-- Part of replacing rebuilt snapshots (see write.py): their item_rows.
delete from item_rows where list_contains($snapshot_ids, snapshot_id)
