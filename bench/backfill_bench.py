"""Rebuilding snapshots from changelogs: `python -m bench.backfill_bench [--quick]`.

Synthetic issue JSON as Jira serves it with `expand=changelog` (status, points, sprint,
summary and assignee changes spread over a year), then the time to read every change into
one frame and to rebuild one snapshot per sprint start (no network: the fetch is Jira's).
"""

from __future__ import annotations

import argparse
import random
from datetime import datetime, timedelta

from backlog_health.ingest.jira_changelog import changes_frame, issues_at
from backlog_health.ingest.jira_fields import discover_fields
from backlog_health.ingest.jira_rest import snapshot_of
from bench.metrics_bench import machine, timed

FIELDS = [
    {"id": "customfield_10020", "name": "Sprint", "schema": {"custom": "com.pyxis.greenhopper.jira:gh-sprint"}},
    {"id": "customfield_10016", "name": "Story point estimate",
     "schema": {"custom": "com.pyxis.greenhopper.jira:jsw-story-points"}},
    {"id": "customfield_10019", "name": "Rank", "schema": {"custom": "com.pyxis.greenhopper.jira:gh-lexo-rank"}},
]
STATUSES = {"1": ("To Do", "new"), "3": ("In Progress", "indeterminate"), "5": ("Done", "done")}
START = datetime(2025, 11, 1)


def synthetic_issues(count: int, histories: int, seed: int = 5) -> list[dict]:
    rng = random.Random(seed)
    issues = []
    for n in range(count):
        created = START + timedelta(hours=rng.randrange(0, 24 * 300))
        log = []
        for h in range(histories):
            at = created + timedelta(hours=h * 6 + rng.randrange(6))
            field, fid, before, after = rng.choice([
                ("status", "status", ("1", "To Do"), ("3", "In Progress")),
                ("Story point estimate", "customfield_10016", (None, str(rng.randint(1, 8))), (None, "5")),
                ("Sprint", "customfield_10020", ("", ""), ("7", "Sprint 7")),
                ("summary", "summary", (None, f"old title {h}"), (None, f"title {h}")),
                ("assignee", "assignee", ("acct1", "Person 01"), ("acct2", "Person 02")),
            ])
            log.append({"id": str(n * 1000 + h), "created": at.isoformat() + ".000+0000", "items": [
                {"field": field, "fieldtype": "jira", "fieldId": fid, "from": before[0], "fromString": before[1],
                 "to": after[0], "toString": after[1]}]})
        status = rng.choice(list(STATUSES))
        issues.append({"key": f"BIG-{n + 1}", "id": str(10000 + n), "changelog": {"histories": log[::-1]}, "fields": {
            "summary": f"Story {n}", "issuetype": {"name": "Story", "hierarchyLevel": 0},
            "status": {"id": status, "name": STATUSES[status][0], "statusCategory": {"key": STATUSES[status][1]}},
            "created": created.isoformat() + ".000+0000", "customfield_10016": 3.0,
            "customfield_10019": f"0|i{n:06d}:", "labels": [], "issuelinks": [],
            "project": {"key": "BIG"}}})
    return issues


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the script runs")
    args = parser.parse_args()
    count, histories, moments, repeat = (300, 10, 2, 1) if args.quick else (5_000, 40, 6, 3)
    print(f"machine: {machine()}")
    issues = synthetic_issues(count, histories)
    fields = discover_fields(FIELDS)
    categories = {sid: key for sid, (_, key) in STATUSES.items()}
    frame_time, changes = timed(lambda: changes_frame(issues, fields), repeat)
    starts = [datetime(2026, 9, 1) - timedelta(days=14 * k) for k in range(moments)]

    def rebuild() -> list:
        return [snapshot_of(issues_at(issues, changes, m, fields, status_categories=categories, sprints={},
                                      link_types=[]), [], fields, source="bench", taken_at=m,
                            source_kind="jira-backfill") for m in starts]

    rebuild_time, snapshots = timed(rebuild, repeat)
    rows = sum(s.snapshot.row_count for s in snapshots)
    print(f"{count:,} issues x {histories} histories = {len(changes):,} changes: changes_frame {frame_time:.2f} s")
    print(f"{moments} rebuilt snapshots ({rows:,} rows): {rebuild_time:.2f} s, "
          f"{rebuild_time / moments:.2f} s per snapshot (median of {repeat})")


if __name__ == "__main__":
    main()
