insert into snapshots (
    backlog, taken_at, source_kind, source_name, content_hash,
    row_count, backlog_items, ingested_at
)
values ($backlog, $taken_at, $source_kind, $source_name, $content_hash,
        $row_count, $backlog_items, $ingested_at)
returning id
