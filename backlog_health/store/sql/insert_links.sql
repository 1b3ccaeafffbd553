insert into links
select $snapshot_id as snapshot_id, new_links.*
from new_links
