select backlog, taken_at, source_kind, source_name, row_count
from snapshots
where id = $snapshot_id
