insert into duplicate_scans (snapshot_id, min_score, method, per_item, model_snapshot_id, capped)
values ($snapshot_id, $min_score, $method, $per_item, coalesce($model_snapshot_id, $snapshot_id), $capped)
