-- Schema version 1: snapshots of backlogs, their items, links and sprints.
create sequence snapshot_id_seq start 1;

create table snapshots (
    id              integer primary key default nextval('snapshot_id_seq'),
    backlog         varchar not null,
    taken_at        timestamp not null,      -- when the backlog was observed (export's local time)
    source_kind     varchar not null,        -- jira-csv | csv | jira | demo
    source_name     varchar not null,        -- file name or server/query, never credentials
    content_hash    varchar not null,
    row_count       integer not null,        -- every row kept (done items and sub-tasks too)
    backlog_items   integer not null,        -- open, ranked items: see backlog_health/backlog.py
    ingested_at     timestamp not null       -- UTC
);

create unique index snapshots_content on snapshots (backlog, content_hash);

create table items (
    snapshot_id                 integer not null,
    row_number                  integer not null,
    key                         varchar not null,
    issue_id                    varchar,
    project_key                 varchar,
    summary                     varchar not null,
    description_raw             varchar,
    description_text            varchar,
    issue_type                  varchar,
    is_subtask                  boolean not null,
    is_epic                     boolean not null,
    status                      varchar,
    status_category             varchar not null,   -- To Do | In Progress | Done
    resolution                  varchar,
    story_points                double,
    original_estimate_seconds   bigint,
    assignee                    varchar,
    reporter                    varchar,
    priority                    varchar,
    labels                      varchar[],
    components                  varchar[],
    fix_versions                varchar[],
    sprints                     varchar[],          -- oldest first
    parent_key                  varchar,
    created                     timestamp,
    updated                     timestamp,
    resolved                    timestamp,
    due                         timestamp,
    rank                        varchar,
    is_backlog                  boolean not null,
    rank_position               integer,            -- 1..n over backlog items
    custom_fields               map(varchar, varchar),
    primary key (snapshot_id, row_number)
);

create table links (
    snapshot_id integer not null,
    from_key    varchar not null,
    to_key      varchar not null,
    link_type   varchar not null,
    direction   varchar not null   -- outward: from_key <verb> to_key; inward: to_key <verb> from_key
);

create table sprints (
    snapshot_id     integer not null,
    name            varchar not null,
    state           varchar,
    start_date      timestamp,
    end_date        timestamp,
    complete_date   timestamp
);
