-- A duplicate scan in a store kept at schema version 3 to 5 (before scans recorded their basis,
-- see migrations/006_bounded_candidates.sql).
insert into duplicate_scans (snapshot_id, min_score, method)
values ($snapshot_id, $min_score, $method)
