"""Sprint retro: what refinement changed before a sprint, and whether its work was ready."""

from datetime import datetime

import streamlit as st

from backlog_health.metrics import explain
from backlog_health.dashboard import context, data, export, fmt, views
from backlog_health.dashboard import retro as retro_view

SPRINT, SNAPSHOTS = "A sprint", "Two snapshots"

selection = context.selection()
rules = selection.rules
st.title("Sprint retro")

listing = data.snapshot_list(selection.path, selection.version)
listing = listing[listing["backlog"] == selection.backlog].sort_values(["taken_at", "id"]).reset_index(drop=True)
sprints = data.history(selection.path, selection.version, selection.backlog, rules, True, selection.now)
sprint_steps = [i for i, p in enumerate(sprints) if p.sprint and i > 0]

mode = st.radio("Compare", (SPRINT, SNAPSHOTS), key="retro.mode", horizontal=True)
if mode == SPRINT and not sprint_steps:
    st.info(
        "No two sprints of this backlog have a start known or inferred: a sprint's start is inferred "
        "between the last snapshot where no item carries it as its latest sprint and the first where "
        "items do, so ingest exports taken before and after sprints start, or give start dates in the "
        "rules' [sprint_starts] table. Compare two snapshots instead."
    )
    mode = SNAPSHOTS
if mode == SPRINT:
    st.sidebar.caption(
        "The retro's sprints compare the last snapshot taken before each sprint started with the previous "
        "sprint's, so snapshots taken later in a sprint are left out."
    )
if len(listing) < 2:
    st.info("This backlog has one snapshot: a retro needs two. Ingest another export.")
    st.stop()

planning = None
started_note = ""
if mode == SPRINT:
    names = [sprints[i].sprint for i in sprint_steps]
    name = st.selectbox("Sprint", names, index=len(names) - 1, key="retro.sprint",
                        help="The last snapshot before the sprint started, against the previous sprint's.")
    index = sprint_steps[names.index(name)]
    if sprints[index].start is not None:
        started_note = f"; {name} {sprints[index].start.describe()}"
    current_id = sprints[index].metrics.snapshot_id
    previous_id = sprints[index - 1].metrics.snapshot_id
    title = f"{selection.backlog}, {name}"
    later = listing[listing["taken_at"] > sprints[index].metrics.taken_at]
    if later.empty:
        st.info(f"No snapshot after {name} started yet, so what entered the sprint is not known.")
    else:
        planning = data.planning(selection.path, selection.version, current_id, int(later["id"].iloc[0]), name, rules)
else:
    labels = [f"{t:%Y-%m-%d %H:%M} #{i}" for t, i in zip(listing["taken_at"], listing["id"])]
    left, right = st.columns(2)
    first = left.selectbox("From (earlier)", labels, index=len(labels) - 2, key="retro.from")
    last = right.selectbox("To (later)", labels, index=len(labels) - 1, key="retro.to")
    a, b = labels.index(first), labels.index(last)
    if a >= b:
        st.warning("Choose a “from” snapshot taken before the “to” snapshot.")
        st.stop()
    current_id, previous_id = int(listing["id"].iloc[b]), int(listing["id"].iloc[a])
    title = f"{selection.backlog}, {last}"

current = data.metrics_of(selection.path, selection.version, current_id, previous_id, rules, selection.now)
previous = data.metrics_of(selection.path, selection.version, previous_id, None, rules, selection.now)
changes = data.refinement(selection.path, selection.version, current_id, previous_id, rules, selection.now)
retro = retro_view.Retro(
    title=title,
    compared=(
        f"snapshot #{current_id} ({current.taken_at:%Y-%m-%d %H:%M}) against "
        f"#{previous_id} ({previous.taken_at:%Y-%m-%d %H:%M}){started_note}"
    ),
    current=current,
    previous=previous,
    changes=changes,
    planning=planning,
)
st.caption(f"{fmt.md(retro.title)}: {fmt.md(retro.compared)}.")

figures = retro_view.headline(retro)
for row in range(0, len(figures), 4):
    columns = st.columns(4)
    for column, (label, value, change, colour, detail) in zip(columns, figures[row : row + 4]):
        column.metric(label, value, change, delta_color=colour, border=True, help=detail)

explained = explain.ready_share_change(current, previous)
if explained:
    st.markdown(f"- {fmt.md(explained[0].upper() + explained[1:])}")

for figure_index, figure in enumerate(retro_view.figures(retro)):
    st.plotly_chart(figure, key=f"retro.chart.{figure_index}")

table_list = retro_view.table_list(retro)
for caption, frame in table_list:
    st.subheader(f"{caption} ({len(frame)})")
    if frame.empty:
        st.caption("None.")
    else:
        views.show_table(retro_view.display(frame), f"retro.table.{export.file_name(caption)}")

stem = export.file_name(f"retro {retro.title}")
left, right = st.columns(2)
left.download_button(
    "Download the report (HTML)",
    data=lambda: export.html_report(
        f"Sprint retro: {retro.title}", f"backlog-health, {retro.compared}", retro_view.sections(retro), datetime.now()
    ),
    file_name=f"{stem}.html", mime="text/html", key="retro.html", icon=":material/description:",
)
right.download_button(
    "Download the tables (CSV, zipped)",
    data=lambda: export.csv_zip(table_list),
    file_name=f"{stem}.zip", mime="application/zip", key="retro.csv", icon=":material/table:",
)
