"""Finding snapshots and reading a snapshot's duplicate pairs as plain rows, without pandas:
what `metrics --json` needs of the store besides the figures, so it starts quickly (and a
mistyped --backlog or --at is reported before any heavy import)."""

from __future__ import annotations

from itertools import groupby

from backlog_health.errors import NotFoundError
from backlog_health.scan_identity import SCAN_METHOD
from backlog_health.store.connection import Store
from backlog_health.store.queries import sql


def resolve_snapshot(con: Store, backlog: str | None = None, at: str | int = "latest") -> int:
    """The id of snapshot `at` (an id, or "latest" of `backlog`).

    Without a backlog, "latest" needs the store to hold exactly one backlog.
    """
    # (id, backlog, taken_at, ...) by backlog, then time and id
    snapshots = con.execute(sql("list_snapshots"), {"backlog": backlog}).fetchall()
    if not snapshots:
        if backlog is not None:
            names = [row[0] for row in con.execute(sql("backlogs")).fetchall()]
            if names:
                raise NotFoundError(f'no backlog named "{backlog}"; the store has: {", ".join(names)}')
        raise NotFoundError("the store has no snapshots yet; ingest one or run `backlog-health demo`")
    if str(at) != "latest":
        try:
            wanted = int(at)
        except ValueError:
            raise NotFoundError(f'--at expects a snapshot id or "latest", got "{at}"') from None
        if wanted not in {row[0] for row in snapshots}:
            raise NotFoundError(
                f"no snapshot {wanted}" + (f' in backlog "{backlog}"' if backlog else "")
                + f"; the ids are {_id_ranges(snapshots)}"
            )
        return wanted
    names = sorted({row[1] for row in snapshots})
    if backlog is None and len(names) > 1:
        raise NotFoundError(f"the store holds several backlogs ({', '.join(names)}); choose one with --backlog")
    return int(max(snapshots, key=lambda row: (row[2], row[0]))[0])


def _id_ranges(snapshots: list[tuple], most: int = 6) -> str:
    """The snapshot ids per backlog as short ranges, e.g. "1-13 (CHECKOUT), 14-26 (MOBILE)"."""
    parts = []
    for name, rows in groupby(sorted(snapshots, key=lambda row: row[1]), key=lambda row: row[1]):
        runs: list[list[int]] = []
        for value in sorted(int(row[0]) for row in rows):
            if runs and value == runs[-1][1] + 1:
                runs[-1][1] = value
            else:
                runs.append([value, value])
        texts = [str(a) if a == b else f"{a}-{b}" for a, b in runs]
        shown = ", ".join(texts[:most]) + (f" and {len(texts) - most} more ranges" if len(texts) > most else "")
        parts.append(f"{shown} ({name})")
    return ", ".join(parts[:most]) + (f" and {len(parts) - most} more backlogs" if len(parts) > most else "")


def previous_snapshot_id(con: Store, snapshot_id: int) -> int | None:
    """The snapshot of the same backlog taken just before `snapshot_id`, if any."""
    rows = con.execute(sql("previous_snapshot"), {"snapshot_id": snapshot_id}).fetchall()
    return int(rows[0][0]) if rows else None


def candidate_rows(con: Store, snapshot_id: int, min_score: float) -> list[tuple[str, str, float]] | None:
    """The duplicate candidates (key_a, key_b, score) stored with a snapshot scoring at least
    `min_score`, or None when it was not scanned (or not down to that score, or by an older
    method); the rows of `store.stored_candidates`."""
    params = {"snapshot_id": snapshot_id, "min_score": min_score, "method": SCAN_METHOD}
    if not con.execute(sql("has_duplicate_scan"), params).fetchall()[0][0]:
        return None
    return con.execute(sql("stored_candidates"), params).fetchall()


def decided_pairs(con: Store, backlog: str) -> list[tuple[str, str, str]]:
    """Every dismissed or confirmed pair of `backlog` (key_a, key_b, decision; key_a < key_b)."""
    return [row[:3] for row in con.execute(sql("duplicate_decisions"), {"backlog": backlog}).fetchall()]
