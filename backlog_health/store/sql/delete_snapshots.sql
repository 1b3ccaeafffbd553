-- Part of replacing rebuilt snapshots (see write.py), after their rows: the snapshots.
-- Item versions stay, as other snapshots' rows may point at them.
delete from snapshots where list_contains($snapshot_ids, id)
