select count(*) > 0 as scanned
from duplicate_scans
where snapshot_id = $snapshot_id
  and method = $method
  and min_score <= $min_score
