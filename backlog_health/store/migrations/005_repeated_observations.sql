-- Schema version 5: a backlog may be observed again with unchanged content (a daily live
-- ingest of a quiet backlog), so the content hash no longer has to be unique per backlog.
drop index snapshots_content;
create index snapshots_content on snapshots (backlog, content_hash);
