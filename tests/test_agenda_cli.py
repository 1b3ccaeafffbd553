"""`backlog-health agenda` on the demo store: the JSON contract, the Markdown, links."""

from __future__ import annotations

import json

from backlog_health.cli import app


def run(runner, *args):
    return runner.invoke(app, [str(a) for a in args])


def agenda_json(runner, demo_db, *extra):
    result = run(runner, "agenda", "--backlog", "CHECKOUT", "--json", "--db", demo_db, *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def near_term_keys(demo_db, count: int | None = None) -> set[str]:
    """The near term's keys as the metrics compute them (started work is not in it)."""
    from backlog_health import api
    from backlog_health.rules import load_rules

    rules = load_rules(None) if count is None else load_rules(None).with_near_term_count(count)
    with api.open_store(demo_db, read_only=True) as con:
        return set(api.snapshot_metrics(con, "CHECKOUT", rules=rules).near_term.keys)


def test_json_is_the_five_sections_and_agrees_with_the_metrics(runner, demo_db):
    data = agenda_json(runner, demo_db)
    assert list(data) == ["not_ready", "next_up", "duplicates", "rank_changes", "stale"]
    metrics = json.loads(run(runner, "metrics", "--backlog", "CHECKOUT", "--json", "--db", demo_db).stdout)
    readiness = metrics["readiness"]
    assert len(data["not_ready"]) == readiness["total"] - readiness["ready"]
    positions = [item["rank_position"] for item in data["not_ready"]]
    assert positions == sorted(positions)
    for item in data["not_ready"] + data["next_up"]:
        assert item["failing"] and len(item["reasons"]) == len(item["failing"]) and item["url"] is None
    failing_counts = {name: sum(name in i["failing"] for i in data["not_ready"]) for name in readiness["failing"]}
    assert failing_counts == readiness["failing"]
    duplicates = metrics["duplicates"]
    assert len(data["duplicates"]) == duplicates["linked"] + duplicates["candidates"]
    assert {c["key"] for c in data["rank_changes"]} <= near_term_keys(demo_db)
    assert len(data["stale"]) == min(10, metrics["growth"]["stale"])


def test_near_term_override_limits_not_ready_to_the_top_n(runner, demo_db):
    data = agenda_json(runner, demo_db, "--near-term", "3")
    top_3, top_6 = near_term_keys(demo_db, 3), near_term_keys(demo_db, 6)
    assert data["not_ready"] and {item["key"] for item in data["not_ready"]} <= top_3
    assert {item["key"] for item in data["next_up"]} <= top_6 - top_3


def test_markdown_by_default_with_links_from_the_option(runner, demo_db):
    result = run(runner, "agenda", "--backlog", "CHECKOUT", "--db", demo_db, "--jira-url", "https://shop.example.net")
    assert result.exit_code == 0, result.output
    text = result.stdout
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert [h.split(" ")[1] for h in headings] == ["1.", "2.", "3.", "4.", "5."]
    first = agenda_json(runner, demo_db)["not_ready"][0]["key"]
    assert f"[{first}](https://shop.example.net/browse/{first})" in text


def test_links_from_the_rules_file(runner, demo_db, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[links]\njira_url = "https://rules.example.net"\n')
    data = agenda_json(runner, demo_db, "--rules", rules)
    assert data["not_ready"][0]["url"].startswith("https://rules.example.net/browse/")


def test_first_snapshot_has_no_rank_changes(runner, demo_db):
    listing = json.loads(run(runner, "snapshots", "--backlog", "CHECKOUT", "--json", "--db", demo_db).stdout)
    first = listing[0]["id"]
    assert agenda_json(runner, demo_db, "--at", first)["rank_changes"] == []
    text = run(runner, "agenda", "--at", first, "--db", demo_db).stdout
    assert "First snapshot: ingest another export" in text


def test_a_bad_site_is_one_line(runner, demo_db):
    result = run(runner, "agenda", "--backlog", "CHECKOUT", "--db", demo_db, "--jira-url", "shop.example.net")
    assert result.exit_code == 2 and "expected a web address" in result.output
    assert "Traceback" not in result.output
