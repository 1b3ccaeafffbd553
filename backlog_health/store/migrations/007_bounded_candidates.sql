-- Schema version 6: duplicate candidates are each item's k best (not every pair above a score),
-- scored with a text model fitted on an earlier snapshot of the backlog while few texts changed,
-- so that a daily snapshot re-scores only what changed.
alter table duplicate_scans add column per_item integer;           -- k; null: every pair (version 5)
alter table duplicate_scans add column model_snapshot_id integer;  -- whose texts the model was fitted on
alter table duplicate_scans add column capped boolean default false; -- the global cap cut pairs
