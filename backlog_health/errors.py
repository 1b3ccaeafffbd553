"""Domain exceptions: each carries one line a user can act on."""

from __future__ import annotations


class BacklogHealthError(Exception):
    """Base class for errors shown to users as one line, without a traceback."""


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


class StoreError(BacklogHealthError):
    """The store cannot be opened or written (locked, corrupt, newer schema...)."""


class NotFoundError(BacklogHealthError):
    """A backlog or snapshot the user asked for does not exist."""


class OldSchemaError(StoreError):
    """A reader met a store of an older schema version: a writer must migrate it first."""


class ReadOnlyStoreError(StoreError):
    """The store's file or folder cannot be written by this user."""
