"""Ingest jobs: turn the outside world (Jira CSV exports, any tracker's CSV, the demo
generator) into canonical `Snapshot`s. Only this package knows trackers' field names."""
