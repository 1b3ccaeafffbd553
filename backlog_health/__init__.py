"""backlog-health: the domain layer (snapshot model, store, backlog rules).

Nothing here imports `ingest` or `dashboard`; the CLI module is the outermost shell.
"""

__version__ = "0.1.0"
