-- Schema version 2: a person's verdict on a pair of items suggested as duplicates.
-- A dismissed pair is never suggested again for that backlog; a confirmed one is
-- listed with the linked duplicates until one of the two leaves the backlog.
create table duplicate_decisions (
    backlog     varchar not null,
    key_a       varchar not null,   -- key_a < key_b
    key_b       varchar not null,
    decision    varchar not null,   -- dismissed | confirmed
    decided_at  timestamp not null, -- UTC
    primary key (backlog, key_a, key_b)
);
