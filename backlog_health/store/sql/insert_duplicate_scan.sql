insert into duplicate_scans (snapshot_id, min_score, method)
values ($snapshot_id, $min_score, $method)
