-- Schema version 4: item history stored compactly. An item unchanged since the backlog's
-- previous snapshot is not stored again: `item_versions` holds each distinct state of an item
-- once, `item_rows` says which version each snapshot row shows, with the fields that move
-- with the rest of the backlog (source position, rank). `items` becomes a view with exactly
-- its old columns, so every read query keeps reading `items`.
create table item_versions (
    version_id                  bigint not null,    -- assigned by the writer, increasing
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
    status_category             varchar not null,
    resolution                  varchar,
    story_points                double,
    original_estimate_seconds   bigint,
    assignee                    varchar,
    reporter                    varchar,
    priority                    varchar,
    labels                      varchar[],
    components                  varchar[],
    fix_versions                varchar[],
    sprints                     varchar[],
    parent_key                  varchar,
    created                     timestamp,
    updated                     timestamp,
    resolved                    timestamp,
    due                         timestamp,
    custom_fields               map(varchar, varchar)
);

create table item_rows (
    snapshot_id     integer not null,
    row_number      integer not null,
    version_id      bigint not null,
    rank            varchar,
    is_backlog      boolean not null,
    rank_position   integer,
    primary key (snapshot_id, row_number)
);

-- Existing rows: one version per distinct item state, numbered in order of first appearance.
create temporary table distinct_states as
with states as (
    select * exclude (snapshot_id, row_number, rank, is_backlog, rank_position),
           min(snapshot_id * 1000000000::bigint + row_number) as first_seen
    from items
    group by all
)

select row_number() over (order by first_seen) as version_id, * exclude (first_seen)
from states;

insert into item_versions by name
select * from distinct_states;

insert into item_rows
select i.snapshot_id, i.row_number, v.version_id, i.rank, i.is_backlog, i.rank_position
from items as i
join distinct_states as v
  on i.key = v.key
 and i.issue_id is not distinct from v.issue_id
 and i.project_key is not distinct from v.project_key
 and i.summary = v.summary
 and i.description_raw is not distinct from v.description_raw
 and i.description_text is not distinct from v.description_text
 and i.issue_type is not distinct from v.issue_type
 and i.is_subtask = v.is_subtask
 and i.is_epic = v.is_epic
 and i.status is not distinct from v.status
 and i.status_category = v.status_category
 and i.resolution is not distinct from v.resolution
 and i.story_points is not distinct from v.story_points
 and i.original_estimate_seconds is not distinct from v.original_estimate_seconds
 and i.assignee is not distinct from v.assignee
 and i.reporter is not distinct from v.reporter
 and i.priority is not distinct from v.priority
 and i.labels is not distinct from v.labels
 and i.components is not distinct from v.components
 and i.fix_versions is not distinct from v.fix_versions
 and i.sprints is not distinct from v.sprints
 and i.parent_key is not distinct from v.parent_key
 and i.created is not distinct from v.created
 and i.updated is not distinct from v.updated
 and i.resolved is not distinct from v.resolved
 and i.due is not distinct from v.due
 and i.custom_fields is not distinct from v.custom_fields;

drop table distinct_states;

drop table items;

create view items as
select
    r.snapshot_id,
    r.row_number,
    v.key,
    v.issue_id,
    v.project_key,
    v.summary,
    v.description_raw,
    v.description_text,
    v.issue_type,
    v.is_subtask,
    v.is_epic,
    v.status,
    v.status_category,
    v.resolution,
    v.story_points,
    v.original_estimate_seconds,
    v.assignee,
    v.reporter,
    v.priority,
    v.labels,
    v.components,
    v.fix_versions,
    v.sprints,
    v.parent_key,
    v.created,
    v.updated,
    v.resolved,
    v.due,
    r.rank,
    r.is_backlog,
    r.rank_position,
    v.custom_fields
from item_rows as r
join item_versions as v on r.version_id = v.version_id;
