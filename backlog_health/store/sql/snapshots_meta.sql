select id, backlog, taken_at, source_kind, source_name, row_count
from snapshots
where list_contains($snapshot_ids, id)
