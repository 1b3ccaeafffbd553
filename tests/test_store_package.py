"""The store package's shape: the item columns written once (the model), one `Store` type
for a file and an export folder that speaks only in `StoreError`s, one exception tree, and
a schema module that imports nothing else of the store."""

from __future__ import annotations

import ast
import inspect

import pytest

from backlog_health import errors, store
from backlog_health.dashboard.tables import ITEM_COLUMNS as SHOWN_COLUMNS
from backlog_health.duplicate_scan import TEXT_COLUMNS
from backlog_health.errors import (
    BacklogHealthError,
    ReadOnlyExportError,
    ReadOnlyStoreError,
    StoreError,
)
from backlog_health.metrics.report import METRIC_COLUMNS
from backlog_health.text_facts_columns import TEXT_FACTS_SCHEMA
from backlog_health.model import ITEM_COLUMNS, ITEM_SCHEMA, item_columns
from backlog_health.store.export import export_parquet
from tests.builders import snapshot
from tests.conftest import REPO

STORE = REPO / "backlog_health" / "store"
ROW_COLUMNS = ("row_number", "rank", "is_backlog", "rank_position")  # move with the backlog, see item_rows


def described(con, relation: str) -> list[tuple[str, str]]:
    return [(name, kind) for name, kind, *_ in con.execute(f"describe {relation}").fetchall()]


# --- the item columns, written once ------------------------------------------------------------


def test_the_migrated_store_has_exactly_the_models_item_columns_and_types(con):
    con.register("model_items", ITEM_SCHEMA.empty_table())
    model = described(con, "model_items")
    assert [name for name, _ in model] == list(ITEM_COLUMNS)
    con.register("text_facts", TEXT_FACTS_SCHEMA.empty_table())
    facts = described(con, "text_facts")
    assert described(con, "items") == [("snapshot_id", "INTEGER"), *model, *facts]
    versions = described(con, "item_versions")
    assert versions == [("version_id", "BIGINT"), *[c for c in model if c[0] not in ROW_COLUMNS], *facts]
    rows = dict(described(con, "item_rows"))
    assert {c: rows[c] for c in ROW_COLUMNS} == {c: kind for c, kind in model if c in ROW_COLUMNS}


def test_every_chosen_list_of_item_columns_is_checked_against_the_model():
    assert set(METRIC_COLUMNS) < set(ITEM_COLUMNS) | set(TEXT_FACTS_SCHEMA.names)
    assert set(SHOWN_COLUMNS) < set(ITEM_COLUMNS)
    assert set(TEXT_COLUMNS) < set(ITEM_COLUMNS)
    assert item_columns("key", "summary") == ("key", "summary")
    with pytest.raises(ValueError, match="not item columns of the model: points"):
        item_columns("key", "points")


# --- one Store for a file and an export folder -------------------------------------------------


@pytest.fixture
def written(db_path):
    con = store.connect(db_path)
    try:
        store.write_snapshot(con, snapshot([{"key": "A-1"}, {"key": "A-2"}], backlog="A"), scan_duplicates=False)
    finally:
        con.close()
    return db_path


def test_a_file_a_read_only_file_and_an_export_folder_are_one_store_type(written, tmp_path):
    with store.connect(written, read_only=True) as con:
        export_parquet(con, tmp_path / "export")
    seen = []
    for path, options in ((written, {}), (written, {"read_only": True}), (tmp_path / "export", {})):
        with store.connect(path, **options) as con:
            assert con.execute("select count(*) from items").fetchall() == [(2,)]
            assert list(store.snapshot_items(con, 1)["key"]) == ["A-1", "A-2"]
            seen.append((type(con), con.path, con.is_mutable))
    assert seen == [
        (store.Store, str(written), True),
        (store.Store, str(written), False),
        (store.Store, str(tmp_path / "export"), False),
    ]


def test_a_store_that_is_not_mutable_refuses_writes_with_one_line(written, tmp_path):
    with store.connect(written, read_only=True) as con:
        with pytest.raises(ReadOnlyStoreError, match="opened read-only; nothing was written"):
            con.execute("delete from snapshots")
        export_parquet(con, tmp_path / "export")
    with store.connect(tmp_path / "export") as con:
        with pytest.raises(ReadOnlyExportError, match="is a read-only Parquet export"):
            con.execute("delete from snapshots")
        assert con.execute("select count(*) from snapshots").fetchone() == (1,)


def test_duckdb_errors_come_out_as_store_errors(con):
    with pytest.raises(StoreError, match=r"could not be opened, read or written \(Catalog Error"):
        con.execute("select * from nowhere")
    relation = con.sql("select cast('x' as integer) as n")  # fails only when read
    with pytest.raises(StoreError, match="Conversion Error"):
        relation.fetchall()
    with pytest.raises(StoreError):
        store.frame(con, "select cast('x' as integer) as n")
    assert con.execute("select 1").fetchone() == (1,)  # the store is still usable


# --- one exception tree ------------------------------------------------------------------------


def test_one_exception_tree_drawn_in_its_module_docstring():
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if c.__module__ == errors.__name__]
    assert all(issubclass(c, BacklogHealthError) for c in classes)
    assert all(c.__name__ in errors.__doc__ for c in classes)
    assert issubclass(ReadOnlyExportError, ReadOnlyStoreError) and issubclass(ReadOnlyStoreError, StoreError)


# --- the package's imports ---------------------------------------------------------------------


def store_imports(module: str) -> set[str]:
    """The modules of the store package that `module` imports."""
    tree = ast.parse((STORE / f"{module}.py").read_text("utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("backlog_health.store."):
            names.add(node.module.removeprefix("backlog_health.store."))
        elif isinstance(node, ast.ImportFrom) and node.module == "backlog_health.store":
            names |= {alias.name for alias in node.names}
    return names


MODULES = sorted(p.stem for p in STORE.glob("*.py") if p.stem != "__init__")


def test_the_schema_module_is_a_leaf():
    assert store_imports("schema") == set()


def test_the_store_modules_import_no_circle():
    graph = {module: store_imports(module) for module in MODULES}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module not in done:
            for imported in graph[module]:
                visit(imported, (*path, module))
            done.add(module)

    for module in MODULES:
        visit(module, ())
