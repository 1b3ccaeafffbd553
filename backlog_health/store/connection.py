"""Opening a store, and the `Store` object every reader and writer is handed.

`connect` opens a DuckDB store file (creating and migrating it for a writer, waiting while
another process holds its lock) or a Parquet export folder (read-only), and returns a
`Store` either way: one type, with `is_mutable` saying whether it may be written, as
datasette's `Database` does. The `Store` turns DuckDB's errors into a `StoreError` whose
one line names the store and says what to do, so callers never catch `duckdb.Error`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import duckdb

from backlog_health.errors import OldSchemaError, ReadOnlyExportError, ReadOnlyStoreError, StoreError
from backlog_health.store.parquet import open_parquet_folder
from backlog_health.store.text_facts_refresh import refresh_text_facts
from backlog_health.store.schema import latest_version, migrate, schema_version

DEFAULT_DB = Path("data") / "backlog.duckdb"
DB_ENV = "BACKLOG_HEALTH_DB"

# Statement kinds that change a database: a store that is not mutable refuses them.
_WRITES = frozenset(
    getattr(duckdb.StatementType, name)
    for name in ("INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "ATTACH", "DETACH", "COPY_DATABASE",
                 "MERGE_INTO", "VACUUM")
    if hasattr(duckdb.StatementType, name)
)
# Whether a query text writes, by text: parsing is pure, and the store runs the same .sql files
# again and again (a large one takes DuckDB most of a millisecond to parse).
_WRITES_BY_TEXT: dict[str, bool] = {}
_WRITES_BY_TEXT_SIZE = 512


def default_db_path() -> Path:
    """`$BACKLOG_HEALTH_DB` if set, else `data/backlog.duckdb`."""
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


# --- DuckDB's errors, classified and explained -------------------------------------------------

_DAMAGED = ("could not read enough bytes", "checksum", "corrupt", "invalid block", "failed to load metadata")
_FULL = ("no space left", "file too large", "disk is full", "disk full", "quota exceeded")
_READ_ONLY = ("permission denied", "read-only file system")


def _is_lock_error(error: BaseException) -> bool:
    return "lock" in str(error).lower()


def _is_read_only(error: BaseException) -> bool:
    text = str(error).lower()
    return not _is_lock_error(error) and any(mark in text for mark in _READ_ONLY)


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def is_file_problem(error: BaseException) -> bool:
    """True when DuckDB's error is about the store file (locked, not a store, damaged, disk
    full, read-only) rather than about a query."""
    text = str(error).lower()
    return (
        _is_lock_error(error)
        or "not a valid duckdb database" in text
        or any(mark in text for mark in _DAMAGED + _FULL + _READ_ONLY)
    )


def explain_error(target: str | Path, error: BaseException, waited: float = 0.0) -> str:
    """One line saying why the store at `target` could not be opened, read or written, and
    what to do; DuckDB's own first line is kept in brackets where it adds a detail."""
    text = str(error).lower()
    detail = _first_line(error)
    if _is_lock_error(error):
        return (
            f"{target}: the store is still in use by another process after waiting {waited:g} s "
            "(another ingest writing to it); try again when it finishes"
        )
    if "not a valid duckdb database" in text or "invalid input" in text:
        return f"{target}: is not a backlog-health store (not a DuckDB database file); it was left untouched"
    if any(mark in text for mark in _DAMAGED):
        return (
            f"{target}: the store file is damaged ({detail}); it was left untouched: restore it from a "
            "backup, or move it away to start a new store"
        )
    if any(mark in text for mark in _FULL):
        return (
            f"{target}: the disk is full (or the file size limit was reached) while writing the store "
            f"({detail}); nothing was written, the store is as it was: free some space and try again"
        )
    if any(mark in text for mark in _READ_ONLY):
        return (
            f"{target}: cannot write to the store: the file or its folder is read-only for this user "
            f"({detail}); nothing was written"
        )
    return f"{target}: the store could not be opened, read or written ({detail})"


def store_error(target: str | Path, error: BaseException, waited: float = 0.0) -> StoreError:
    """The StoreError for DuckDB's `error` on the store at `target` (see `explain_error`)."""
    kind = ReadOnlyStoreError if _is_read_only(error) else StoreError
    return kind(explain_error(target, error, waited))


@contextmanager
def translated(target: str | Path) -> Iterator[None]:
    """Run a block whose DuckDB errors become the store's `StoreError` (a query's own error
    keeps DuckDB's as its cause, for whoever debugs it)."""
    try:
        yield
    except duckdb.Error as error:
        if is_file_problem(error):
            raise store_error(target, error) from None
        raise store_error(target, error) from error


# --- the Store ---------------------------------------------------------------------------------


class Store:
    """One open store: a DuckDB file, an in-memory database, or a Parquet export folder.

    It forwards what callers use of DuckDB's connection (`execute` and the `fetch...` of its
    result, `sql`, `register`, `close`, the context manager...); any DuckDB error comes out
    as a `StoreError`. A store that is not mutable (an export folder, a file opened
    read-only) refuses writes with one line before DuckDB sees them.
    """

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        path: str | Path,
        *,
        is_mutable: bool = True,
        is_export: bool = False,
    ) -> None:
        self.connection = connection  # DuckDB's, for the store's own modules
        self.path = str(path)
        self.is_mutable = is_mutable and not is_export
        self.is_export = is_export

    def __repr__(self) -> str:
        kind = "export" if self.is_export else "file" if self.is_mutable else "read-only file"
        return f"<Store {self.path!r} ({kind})>"

    def _refuse_writes(self, query: Any) -> None:
        if self.is_mutable or not isinstance(query, str) or not self._writes(query):
            return
        if self.is_export:
            raise ReadOnlyExportError(
                f"{self.path}: is a read-only Parquet export; write to a DuckDB store file "
                "(--db PATH.duckdb) instead; nothing was written"
            )
        raise ReadOnlyStoreError(f"{self.path}: the store was opened read-only; nothing was written")

    def _writes(self, query: str) -> bool:
        """Whether `query` holds a statement that changes a database."""
        known = _WRITES_BY_TEXT.get(query)
        if known is not None:
            return known
        try:
            kinds = {statement.type for statement in self.connection.extract_statements(query)}
        except duckdb.Error:
            return False  # the syntax error is reported when the query runs
        if len(_WRITES_BY_TEXT) < _WRITES_BY_TEXT_SIZE:
            _WRITES_BY_TEXT[query] = bool(kinds & _WRITES)
        return bool(kinds & _WRITES)

    def _call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call one of DuckDB's methods: its errors translated, its relations wrapped."""
        with translated(self.path):
            result = method(*args, **kwargs)
        if result is self.connection:
            return self
        if isinstance(result, duckdb.DuckDBPyRelation):
            return Relation(result, self.path)
        return result

    # Statements. `execute` returns the store, so `store.execute(...).fetchall()` reads its result.
    def execute(self, query: Any, parameters: Any = None) -> Self:
        self._refuse_writes(query)
        return self._call(self.connection.execute, query, parameters)

    def executemany(self, query: Any, parameters: Any = None) -> Self:
        self._refuse_writes(query)
        return self._call(self.connection.executemany, query, parameters)

    def sql(self, query: Any, **kwargs: Any) -> Relation:
        self._refuse_writes(query)
        return self._call(self.connection.sql, query, **kwargs)

    query = sql

    # The last statement's result.
    def fetchall(self) -> list[tuple]:
        return self._call(self.connection.fetchall)

    def fetchone(self) -> tuple | None:
        return self._call(self.connection.fetchone)

    def fetchmany(self, size: int = 1) -> list[tuple]:
        return self._call(self.connection.fetchmany, size)

    def df(self, **kwargs: Any) -> Any:
        return self._call(self.connection.df, **kwargs)

    fetchdf = fetch_df = df

    def fetch_arrow_table(self, *args: Any, **kwargs: Any) -> Any:
        return self._call(self.connection.fetch_arrow_table, *args, **kwargs)

    # Python objects as relations, and parsing.
    def register(self, view_name: str, python_object: object) -> Self:
        return self._call(self.connection.register, view_name, python_object)

    def unregister(self, view_name: str) -> Self:
        return self._call(self.connection.unregister, view_name)

    def extract_statements(self, query: str) -> list[duckdb.Statement]:
        return self._call(self.connection.extract_statements, query)

    def close(self) -> None:
        self._call(self.connection.close)

    def __getattr__(self, name: str) -> Any:
        """Anything else of DuckDB's connection, translated the same way."""
        if name == "connection":  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        attribute = getattr(self.connection, name)
        if not callable(attribute):
            return attribute
        return lambda *args, **kwargs: self._call(attribute, *args, **kwargs)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Relation:
    """A DuckDB relation of a `Store`: read lazily, so its errors are translated when it runs."""

    def __init__(self, relation: duckdb.DuckDBPyRelation, path: str) -> None:
        self.relation = relation
        self.path = path

    def __getattr__(self, name: str) -> Any:
        if name == "relation":
            raise AttributeError(name)
        attribute = getattr(self.relation, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            with translated(self.path):
                result = attribute(*args, **kwargs)
            return Relation(result, self.path) if isinstance(result, duckdb.DuckDBPyRelation) else result

        return call

    def __len__(self) -> int:
        with translated(self.path):
            return len(self.relation)

    def __repr__(self) -> str:
        with translated(self.path):
            return repr(self.relation)


# --- opening -----------------------------------------------------------------------------------


def connect(
    path: str | Path | None = None,
    *,
    read_only: bool = False,
    migrations_folder: Path | None = None,
    wait_seconds: float = 30.0,
    waiting: Callable[[str], None] | None = None,
) -> Store:
    """Open the store at `path` (":memory:" for a throw-away one, a folder for a Parquet export).

    A writer creates the file if needed and migrates it to the current schema; a
    reader refuses a store that is missing or needs migrating, so it never writes.
    DuckDB lets one process write a file at a time (and no reader in another process
    while it does): when the file is locked, this waits up to `wait_seconds`, retrying
    with growing pauses, before giving up with a clear message; `waiting` is told once,
    with a line a person can read, when it starts waiting. An export folder is always
    opened read-only (`is_mutable` False).
    """
    target = str(default_db_path() if path is None else path)
    if Path(target).is_dir():
        folder = Path(target)
        return Store(open_parquet_folder(folder), folder, is_mutable=False, is_export=True)
    in_memory = target == ":memory:"
    reader = read_only and not in_memory
    if not in_memory:
        file = Path(target)
        if read_only and not file.exists():
            raise StoreError(f"{target}: no store here yet; ingest a snapshot or run `backlog-health demo`")
        if not read_only:
            try:
                file.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"{target}: cannot create its folder ({error.strerror})") from None
    store = Store(_open(target, reader, wait_seconds, waiting), target, is_mutable=not reader)
    try:
        if reader:
            version, latest = schema_version(store), latest_version(migrations_folder)
            if version != latest:
                raise OldSchemaError(
                    f"{target}: the store has schema version {version}, this release needs "
                    f"{latest}; run any write command (e.g. `backlog-health snapshots`) to migrate it"
                )
        else:
            migrate(store, migrations_folder)
            refresh_text_facts(store)
    except BaseException:
        _close_quietly(store)
        raise
    return store


def connect_to_read(path: str | Path | None = None, **options: Any) -> Store:
    """Open the store for a command that only reads: as a writer when it can (so a store of an
    older release is migrated first), read-only when its file or folder is not writable."""
    try:
        return connect(path, **options)
    except ReadOnlyStoreError:
        return connect(path, read_only=True, **options)


def _close_quietly(store: Store) -> None:
    """Close a store that just failed; a second error on the way out would only hide the first."""
    try:
        store.close()
    except StoreError:
        pass


def _open(
    target: str, read_only: bool, wait_seconds: float, waiting: Callable[[str], None] | None
) -> duckdb.DuckDBPyConnection:
    """DuckDB's connection to the file, waiting (with growing pauses) while another process
    holds its lock."""
    deadline = time.monotonic() + wait_seconds
    pause = 0.05
    while True:
        try:
            return duckdb.connect(target, read_only=read_only)
        except duckdb.IOException as error:
            if _is_lock_error(error) and time.monotonic() + pause < deadline:
                if waiting is not None and pause == 0.05:
                    waiting(f"{target}: in use by another process; waiting up to {wait_seconds:g} s for it to finish")
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
                continue
            raise store_error(target, error, wait_seconds) from None
        except duckdb.Error as error:
            raise store_error(target, error) from None
