"""The stored text facts follow the release: a store whose facts another release computed (a
different acceptance table or facts code) has them recomputed on its next writable open."""

from __future__ import annotations

from pathlib import Path

from backlog_health import store
from backlog_health.text_facts import fingerprint


def facts(path: Path) -> list[tuple]:
    con = store.connect(path, read_only=True)
    try:
        return con.execute(
            "select version_id, description_words, acceptance_found from item_versions order by version_id"
        ).fetchall()
    finally:
        con.close()


def stored_fingerprint(path: Path) -> str:
    con = store.connect(path, read_only=True)
    try:
        return con.execute("select fingerprint from text_facts_state").fetchall()[0][0]
    finally:
        con.close()


def test_facts_computed_by_another_release_are_recomputed_on_open(demo_copy):
    right = facts(demo_copy)
    assert stored_fingerprint(demo_copy) == fingerprint()
    assert any(found for _, _, found in right) and any(not found for _, _, found in right)
    con = store.connect(demo_copy)  # another release's facts: every one wrong
    con.execute("update item_versions set description_words = 0, acceptance_found = not acceptance_found")
    con.execute("update text_facts_state set fingerprint = 'another release'")
    con.close()
    assert facts(demo_copy) != right  # a reader does not change the store
    store.connect(demo_copy).close()  # the next writable open recomputes them
    assert facts(demo_copy) == right and stored_fingerprint(demo_copy) == fingerprint()


def test_a_store_with_the_current_facts_is_left_alone(demo_copy):
    con = store.connect(demo_copy)
    con.execute("update item_versions set description_words = -1 where version_id = 1")
    con.close()
    store.connect(demo_copy).close()  # same fingerprint: nothing recomputed
    assert facts(demo_copy)[0][1] == -1
