-- Part of replacing rebuilt snapshots (see write.py): their duplicate_scans.
delete from duplicate_scans where list_contains($snapshot_ids, snapshot_id)
