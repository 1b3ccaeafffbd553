"""Ranking churn: did priorities thrash between snapshots or sprints?"""

import streamlit as st

from backlog_health.dashboard import context, data, fmt, tables, views

selection = context.selection()
m = selection.current

st.title("Ranking churn")
st.caption(
    f"{fmt.md(selection.backlog)}: each step against the one before, "
    f"{len(selection.window)} steps up to {fmt.md(context.step_label(selection.history[selection.end]))}."
)
top_n = st.slider(
    "Items in the top-N table", min_value=3, max_value=40, value=max(3, min(m.near_term.size or 10, 15)),
    key="churn.top_n",
)
items = data.backlog_table(selection.path, selection.version, m.snapshot_id)
before = selection.previous
previous = None if before is None else data.backlog_table(selection.path, selection.version, before.snapshot_id)
trend = tables.trend(selection.window, selection.labels)
views.churn_section(m, trend, tables.top_n_table(items, previous, top_n), key="churn", items=items)
