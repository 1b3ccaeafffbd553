-- Schema version 3: duplicate candidates found when a snapshot is written, so metrics
-- and pages read them instead of comparing every pair of items again.
create table duplicate_scans (
    snapshot_id integer primary key,
    min_score   double not null,    -- pairs scoring at least this were kept
    method      varchar not null    -- similarity method version; a new method rescans
);

create table duplicate_candidates (
    snapshot_id integer not null,
    key_a       varchar not null,   -- key_a < key_b
    key_b       varchar not null,
    score       double not null
);
