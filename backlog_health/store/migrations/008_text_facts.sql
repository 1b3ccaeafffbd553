-- Schema version 8: what each item's text says (its description's word count, and whether it
-- states acceptance criteria), stored with the item's version so the figures' SQL reads it on
-- any engine (DuckDB, or Spark over the Parquet export). Computed in Python
-- (backlog_health/text_facts.py) when a snapshot is written; for the versions stored before, and
-- again whenever a release computes them differently (a new language in the acceptance table),
-- by store/text_facts_refresh.py, which records here the fingerprint of the rules it used.
alter table item_versions add column description_words integer;
alter table item_versions add column acceptance_found boolean;

create table text_facts_state (
    fingerprint varchar not null  -- text_facts.FINGERPRINT of the release that computed them
);

create or replace view items as
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
    v.custom_fields,
    v.description_words,
    v.acceptance_found
from item_rows as r
join item_versions as v on r.version_id = v.version_id;
