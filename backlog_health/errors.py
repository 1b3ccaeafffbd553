"""Domain exceptions: each carries one line a user can act on.

The one exception tree of backlog-health (the CLI prints any of them as one line and exits 1;
the dashboard shows it with `st.error`):

    BacklogHealthError
    ├── EngineError           another engine (Spark) is missing or could not run a query
    ├── InputError            a file or value the user handed us is not what was expected
    ├── NotFoundError         a backlog, snapshot or pair the user named does not exist
    ├── NotifyError           a notification could not be delivered
    └── StoreError            the store cannot be opened, read or written
        ├── OldSchemaError    a reader met a store a writer must migrate first
        └── ReadOnlyStoreError
            └── ReadOnlyExportError   a write was attempted on a Parquet export folder

DuckDB's own errors never reach callers: the store (`backlog_health.store.Store`) turns them
into a `StoreError` that names the store and says what to do.
"""

from __future__ import annotations


class BacklogHealthError(Exception):
    """Base class for errors shown to users as one line, without a traceback."""


class EngineError(BacklogHealthError):
    """Another engine cannot run the query: pyspark or Java is missing, or Spark refused it."""


class InputError(BacklogHealthError):
    """A file or value the user handed us is not what we expected.

    The message names the file, and where known the row and column, and what was expected.
    """

    def __init__(
        self,
        file: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.detail = message
        where = [file]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f'column "{column}"')
        # One line whatever the file name or a cell holds: a line end would split the message.
        text = f"{', '.join(where)}: {message}"
        super().__init__(text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r"))


class NotFoundError(BacklogHealthError):
    """A backlog or snapshot the user asked for does not exist."""


class NotifyError(BacklogHealthError):
    """A notification URL is not one Apprise knows, or its receiver did not take the message."""


class StoreError(BacklogHealthError):
    """The store cannot be opened, read or written (locked, damaged, disk full, newer schema...)."""


class OldSchemaError(StoreError):
    """A reader met a store of an older schema version: a writer must migrate it first."""


class ReadOnlyStoreError(StoreError):
    """The store cannot be written: its file or folder is read-only for this user, or it was
    opened read-only."""


class ReadOnlyExportError(ReadOnlyStoreError):
    """A write was attempted on a Parquet export folder, which is read-only by design."""
