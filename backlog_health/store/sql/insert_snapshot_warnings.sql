insert into snapshot_warnings
select $snapshot_id as snapshot_id, new_warnings.position, new_warnings.message
from new_warnings
