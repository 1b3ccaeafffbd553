insert into sprints
select $snapshot_id as snapshot_id, new_sprints.*
from new_sprints
