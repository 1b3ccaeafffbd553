-- Removes snapshots: their rows, links, sprints and duplicate scans. Item versions stay,
-- as other snapshots' rows may point at them. Run one statement at a time (no semicolons in comments).
delete from item_rows where list_contains($snapshot_ids, snapshot_id);
delete from links where list_contains($snapshot_ids, snapshot_id);
delete from sprints where list_contains($snapshot_ids, snapshot_id);
delete from duplicate_candidates where list_contains($snapshot_ids, snapshot_id);
delete from duplicate_scans where list_contains($snapshot_ids, snapshot_id);
delete from snapshots where list_contains($snapshot_ids, id);
