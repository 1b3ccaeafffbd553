-- Part of replacing rebuilt snapshots (see write.py): their links.
delete from links where list_contains($snapshot_ids, snapshot_id)
