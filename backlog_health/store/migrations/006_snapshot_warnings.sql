-- Schema version 6: what a person should know about how a snapshot's source was read
-- (values set aside as implausible estimates, no row done), one line each, in order.
create table snapshot_warnings (
    snapshot_id integer not null,
    position    integer not null,   -- 1, 2, ... in the order the reader gave them
    message     varchar not null,
    primary key (snapshot_id, position)
);
