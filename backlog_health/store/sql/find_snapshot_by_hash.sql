select id
from snapshots
where backlog = $backlog and content_hash = $content_hash
