-- A stored observation with this content: a rebuilt snapshot does not count, so a real one
-- with the same content is still stored (and replaces a rebuilt one of its moment).
select id
from snapshots
where backlog = $backlog and content_hash = $content_hash and not list_contains($rebuilt_kinds, source_kind)
