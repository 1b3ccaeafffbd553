"""The CLI's JSON answers on the demo store, kept as a golden copy.

The copy in `fixtures/golden/demo_cli.json.gz` was taken before the architecture moved
(commit "Golden copy of the CLI's JSON on the demo store"); `test_golden` proves the
product still answers the same. Only values that depend on the wall clock are left out.

Refresh it (only when a change of behaviour is intended) with
`python -m tests.golden --write`.
"""

from __future__ import annotations

import gzip
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

GOLDEN = Path(__file__).parent / "fixtures" / "golden" / "demo_cli.json.gz"
# Values that depend on when the command runs, not on the store.
VOLATILE = frozenset({"ingested_at", "data_age_days"})

COMMANDS: dict[str, list[str]] = {}
for _backlog in ("CHECKOUT", "MOBILE"):
    _b = ["--backlog", _backlog]
    COMMANDS |= {
        f"snapshots {_backlog}": ["snapshots", *_b, "--json"],
        f"items {_backlog}": ["items", *_b, "--json"],
        f"items --all --at 3 {_backlog}": ["items", *_b, "--all", "--at", "3" if _backlog == "CHECKOUT" else "15",
                                            "--json"],
        f"metrics {_backlog}": ["metrics", *_b, "--json"],
        f"metrics --near-term 8 {_backlog}": ["metrics", *_b, "--near-term", "8", "--at",
                                               "5" if _backlog == "CHECKOUT" else "17", "--json"],
        f"metrics --history {_backlog}": ["metrics", *_b, "--history", "--json"],
        f"metrics --history --by-sprint {_backlog}": ["metrics", *_b, "--history", "--by-sprint", "--json"],
        f"duplicates {_backlog}": ["duplicates", *_b, "--json"],
        f"duplicates --top-k 5 {_backlog}": ["duplicates", *_b, "--top-k", "5", "--json"],
    }


def without_volatile(value: Any) -> Any:
    """`value` with the wall-clock keys removed at every depth."""
    if isinstance(value, dict):
        return {k: without_volatile(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [without_volatile(v) for v in value]
    return value


def answers(db: Path) -> dict[str, Any]:
    """Each golden command's JSON answer on the store at `db`."""
    from backlog_health.cli import app

    runner = CliRunner()
    found = {}
    for name, args in COMMANDS.items():
        result = runner.invoke(app, [*args, "--db", str(db)])
        if result.exit_code != 0:
            raise AssertionError(f"{name}: exit {result.exit_code}: {result.output}")
        found[name] = without_volatile(json.loads(result.stdout))
    return found


def read_golden() -> dict[str, Any]:
    return json.loads(gzip.decompress(GOLDEN.read_bytes()))


def main() -> None:
    if "--write" not in sys.argv:
        raise SystemExit("usage: python -m tests.golden --write")
    from tests.conftest import write_demo_store

    with tempfile.TemporaryDirectory() as folder:
        db = write_demo_store(Path(folder) / "demo.duckdb")
        found = answers(db)
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_bytes(gzip.compress(json.dumps(found, sort_keys=True).encode(), mtime=0))
    print(f"{GOLDEN}: {len(found)} answers")


if __name__ == "__main__":
    main()
