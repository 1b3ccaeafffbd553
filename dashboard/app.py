"""Dashboard entry point (placeholder until the dashboard pages land): lists the store's
backlogs and snapshots, or a first-run screen for an empty store."""

from __future__ import annotations

import streamlit as st

from backlog_health import store
from backlog_health.errors import BacklogHealthError

st.set_page_config(page_title="backlog-health", layout="wide")
st.title("Backlog health")

try:
    con = store.connect(store.default_db_path(), read_only=True)
except BacklogHealthError as error:
    st.info(
        "No backlog snapshots yet. Load one with `backlog-health ingest jira-csv export.csv` "
        "or try the demo with `backlog-health demo`."
    )
    st.caption(str(error))
    st.stop()

try:
    backlogs = store.list_backlogs(con)
    if backlogs.empty:
        st.info("The store is empty: `backlog-health ingest jira-csv export.csv` or `backlog-health demo`.")
        st.stop()
    st.caption("Charts of readiness, estimates, duplicates and ranking churn arrive with the next release.")
    st.subheader("Backlogs")
    st.dataframe(backlogs, hide_index=True)
    st.subheader("Snapshots")
    st.dataframe(
        store.list_snapshots(con)[["id", "backlog", "taken_at", "source_kind", "source_name", "row_count", "backlog_items"]],
        hide_index=True,
    )
finally:
    con.close()
