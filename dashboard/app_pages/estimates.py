"""Estimates: coverage of the near and long term, unestimated and oversized items."""

import streamlit as st

from backlog_health.dashboard import context, data, fmt, tables, views

selection = context.selection()
m = selection.current

st.title("Estimates")
st.caption(
    f"{fmt.md(selection.backlog)}, {fmt.md(context.step_label(selection.history[selection.end]))}. "
    f"{views.rule_text(m).capitalize()}; an item is estimated when it has story points (0 counts) "
    "or an original estimate."
)
items = data.backlog_table(selection.path, selection.version, m.snapshot_id)
trend = tables.trend(selection.window, selection.labels)
views.estimates_section(m, items, trend, selection.rules.max_points, key="estimates")
