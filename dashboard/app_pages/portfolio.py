"""Portfolio: every backlog at its latest snapshot, worst ready share first; choosing a row
opens that backlog's Overview."""

import streamlit as st

from backlog_health.dashboard import charts, context, data, fmt, tables

selection = context.selection()
frame = tables.portfolio(data.portfolio(selection.path, selection.version, selection.rules, every_snapshot=True))

st.title("Portfolio")
st.caption(
    f"{fmt.plural(len(frame), 'backlog')} at their latest snapshot, worst ready share first: the figures of "
    "`backlog-health metrics --json` for each, under the sidebar's near-term rule and Definition of Ready. "
    "Choose a row to open that backlog's Overview; click a header to sort."
)
share = {"format": "percent", "min_value": 0, "max_value": 1}
with st.container(key="portfolio_table"):
    chosen = st.dataframe(
        frame, key="portfolio.rows", on_select="rerun", selection_mode="single-row", hide_index=True,
        width="stretch",
        column_config={
            "backlog": st.column_config.TextColumn("Backlog", pinned=True),
            "taken_at": st.column_config.DateColumn("Snapshot", format="YYYY-MM-DD"),
            "backlog_items": st.column_config.NumberColumn("Items"),
            "ready_ratio": st.column_config.ProgressColumn(
                "Ready (near term)", help="Ready share of the near-term items.", **share
            ),
            "ready": st.column_config.TextColumn("Ready items"),
            "readiness_trend": st.column_config.LineChartColumn(
                "Ready share over time", y_min=0, y_max=1, help="At each snapshot, oldest first."
            ),
            "coverage_near": st.column_config.ProgressColumn("Estimated, near term", **share),
            "coverage_long": st.column_config.ProgressColumn("Estimated, long term", **share),
            "coverage_all": st.column_config.ProgressColumn("Estimated, all", **share),
            "linked_duplicates": st.column_config.NumberColumn("Linked duplicates", help="Linked and still open."),
            "stale": st.column_config.NumberColumn(
                "Stale items", help=f"Not updated for {selection.rules.stale_days} days before the snapshot."
            ),
        },
    )
if chosen.selection.rows:
    context.open_overview(str(frame["backlog"].iloc[chosen.selection.rows[0]]))

st.plotly_chart(
    charts.portfolio_heatmap(
        list(frame["backlog"]),
        {
            "ready (near term)": list(frame["ready_ratio"]),
            "estimated, near term": list(frame["coverage_near"]),
            "estimated, long term": list(frame["coverage_long"]),
            "estimated, all": list(frame["coverage_all"]),
        },
    ),
    key="portfolio.heatmap",
)
