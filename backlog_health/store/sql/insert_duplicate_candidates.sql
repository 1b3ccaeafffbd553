insert into duplicate_candidates
select $snapshot_id as snapshot_id, new_candidates.*
from new_candidates
