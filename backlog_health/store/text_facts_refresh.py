"""The stored text facts kept in step with this release: recomputed for every stored item
version when the release that stored them computed them differently (see
`text_facts.fingerprint`), in one transaction."""

from __future__ import annotations

import duckdb

from backlog_health.store.queries import sql
from backlog_health.store.schema import Connection, schema_version
from backlog_health.text_facts import STORED_SINCE, fingerprint, text_facts_of


def refresh_text_facts(con: Connection) -> bool:
    """Recompute the stored facts if they are not this release's; whether it did."""
    if schema_version(con) < STORED_SINCE:
        return False
    current = fingerprint()
    if con.execute(sql("text_facts_fingerprint")).fetchall()[0][0] == current:
        return False
    try:
        getattr(con, "connection", con).create_function(  # a Store, or DuckDB's own connection
            "text_facts_of", text_facts_of, ["VARCHAR", "MAP(VARCHAR, VARCHAR)"],
            duckdb.struct_type({"description_words": "INTEGER", "acceptance_found": "BOOLEAN"}),
            null_handling="special",
        )
    except duckdb.CatalogException:
        pass  # registered by an earlier refresh on this connection
    con.execute("begin transaction")
    try:
        con.execute(sql("refresh_text_facts"))
        con.execute("delete from text_facts_state")
        con.execute(sql("record_text_facts"), {"fingerprint": current})
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return True
