-- Stages a snapshot's rows (new_items, registered from Arrow by write_snapshot; the
-- snapshot's row in `snapshots` already exists) with the version each row shows: the version
-- of the same item in the backlog's previous stored snapshot when nothing in it changed, else
-- a new version id after the highest stored one (is_new).
create temporary table staged_items as
with current_snapshot as (
    select backlog
    from snapshots
    where id = $snapshot_id
),

previous_snapshot as (
    select max(s.id) as id
    from snapshots as s
    join current_snapshot as c on s.backlog = c.backlog
    where s.id <> $snapshot_id
),

previous as (
    select v.*
    from item_rows as r
    join item_versions as v on r.version_id = v.version_id
    where r.snapshot_id = (select id from previous_snapshot)
),

matched as (
    select n.*, p.version_id as previous_version
    from new_items as n
    left join previous as p
      on n.key = p.key
     and n.issue_id is not distinct from p.issue_id
     and n.project_key is not distinct from p.project_key
     and n.summary is not distinct from p.summary
     and n.description_raw is not distinct from p.description_raw
     and n.description_text is not distinct from p.description_text
     and n.issue_type is not distinct from p.issue_type
     and n.is_subtask is not distinct from p.is_subtask
     and n.is_epic is not distinct from p.is_epic
     and n.status is not distinct from p.status
     and n.status_category is not distinct from p.status_category
     and n.resolution is not distinct from p.resolution
     and n.story_points is not distinct from p.story_points
     and n.original_estimate_seconds is not distinct from p.original_estimate_seconds
     and n.assignee is not distinct from p.assignee
     and n.reporter is not distinct from p.reporter
     and n.priority is not distinct from p.priority
     and n.labels is not distinct from p.labels
     and n.components is not distinct from p.components
     and n.fix_versions is not distinct from p.fix_versions
     and n.sprints is not distinct from p.sprints
     and n.parent_key is not distinct from p.parent_key
     and n.created is not distinct from p.created
     and n.updated is not distinct from p.updated
     and n.resolved is not distinct from p.resolved
     and n.due is not distinct from p.due
     and n.custom_fields is not distinct from p.custom_fields
),

last_version as (
    select coalesce(max(version_id), 0) as id
    from item_versions
),

final as (
    select
        m.* exclude (previous_version),
        previous_version is null as is_new,
        coalesce(
            previous_version,
            (select id from last_version)
            + count(*) filter (where previous_version is null) over (order by row_number)
        ) as version_id
    from matched as m
)

select * from final
