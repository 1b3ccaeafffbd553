"""Overview: the headline figures of the chosen step, with the change since the step before."""

import streamlit as st

from backlog_health.metrics import explain
from backlog_health.dashboard import context, data, fmt, views

selection = context.selection()
m, before = selection.current, selection.previous

st.title(f"Backlog health: {fmt.md(selection.backlog)}")
compared = "first step: nothing to compare with" if before is None else (
    f"compared with {context.step_label(selection.history[selection.end - 1])}"
)
st.caption(
    f"{fmt.md(context.step_label(selection.history[selection.end]))}, {fmt.md(compared)}. "
    f"Trends cover {len(selection.window)} steps. {views.rule_text(m).capitalize()}."
)
for warning in data.snapshot_warnings(selection.path, selection.version, m.snapshot_id) if m.snapshot_id else ():
    st.warning(f"When this snapshot was read: {fmt.md(warning)}", icon=":material/warning:")
views.draw_cards(views.headline_cards(selection.history, selection.start, selection.end))
if before is None:
    st.info("One snapshot so far: ingest another export of this backlog to see trends and what changed.")
agenda = data.agenda_of(selection.path, selection.version, m.snapshot_id, selection.rules, selection.now)
reasons = {item.key: item.reasons for item in agenda.not_ready + agenda.next_up}
for line in (explain.ready_share_change(m, before, reasons), explain.ready_sprints_reason(m, reasons)):
    if line:
        st.markdown(f"- {fmt.md(line[0].upper() + line[1:])}")
not_ready = m.readiness.total - m.readiness.ready
st.page_link(
    "app_pages/agenda.py", icon=":material/checklist:",
    label=f"Refinement agenda: {fmt.plural(not_ready, 'near-term item')} to fix before sprint planning, and why",
)

g = m.growth
st.subheader("Growth and age")
columns = st.columns(5)
columns[0].metric("Added", fmt.count(g.added), help="New backlog items since the step before.")
columns[1].metric("Finished", fmt.count(g.finished), help="Backlog items of the step before that are now done.")
columns[2].metric("Removed", fmt.count(g.removed), help="Left the backlog without being done.")
columns[3].metric("Median age (days)", fmt.num(g.median_age_days, 0))
columns[4].metric(
    "Stale items", fmt.count(g.stale),
    help=f"Not updated for {selection.rules.stale_days} days before the snapshot.",
)
st.caption(f"Snapshot taken {m.taken_at:%Y-%m-%d %H:%M}; data {fmt.num(m.data_age_days)} days old.")
