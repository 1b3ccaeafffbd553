-- Part of replacing rebuilt snapshots (see write.py): their duplicate_candidates.
delete from duplicate_candidates where list_contains($snapshot_ids, snapshot_id)
