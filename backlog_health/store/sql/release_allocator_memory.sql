-- DuckDB's allocator keeps memory freed by a large write; its background threads return it to
-- the system (https://duckdb.org/docs/2.0/internals/jemalloc). Set before a long computation
-- outside DuckDB (the duplicate scan), so that memory is not held while the scan needs its own.
set allocator_background_threads = true
