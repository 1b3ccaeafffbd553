"""Readiness: the near-term items against the Definition of Ready, and readiness over time."""

import streamlit as st

from backlog_health.dashboard import context, data, fmt, tables, views

selection = context.selection()
m = selection.current

st.title("Readiness of the near term")
st.caption(
    f"{fmt.md(selection.backlog)}, {fmt.md(context.step_label(selection.history[selection.end]))}: "
    f"{m.readiness.ready} of {m.near_term.size} near-term items are ready. "
    "Change the near-term rule in the sidebar."
)
items = data.backlog_table(selection.path, selection.version, m.snapshot_id)
trend = tables.trend(selection.window, selection.labels)
views.readiness_section(m, items, trend, key="readiness")
