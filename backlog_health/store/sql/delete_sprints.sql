-- Part of replacing rebuilt snapshots (see write.py): their sprints.
delete from sprints where list_contains($snapshot_ids, snapshot_id)
