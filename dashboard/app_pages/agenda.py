"""Agenda: what to fix in the refinement meeting before sprint planning, and why."""

import streamlit as st

from backlog_health.metrics.agenda_markdown import agenda_markdown
from backlog_health.dashboard import context, data, export, fmt, tables, views

selection = context.selection()
m = selection.current

st.title("Refinement agenda")
st.caption(
    f"{fmt.md(selection.backlog)}, {fmt.md(context.step_label(selection.history[selection.end]))}: "
    "what to fix before sprint planning, in this order. Change the near-term rule in the sidebar."
)
agenda = data.agenda_of(selection.path, selection.version, m.snapshot_id, selection.rules, selection.now)
shown = tables.agenda_tables(agenda)
markdown = agenda_markdown(agenda)


def section(name: str, heading: str, empty: str, note: str | None = None) -> None:
    st.subheader(heading)
    table = shown[name]
    if table.empty:
        st.success(empty)
        return
    if note:
        st.caption(note)
    links = [c for c in ("Link", "Other link") if c in table]
    if not agenda.site:
        table = table.drop(columns=links)
    config = {c: st.column_config.LinkColumn(c, display_text="open") for c in links}
    # Every row visible: a row is 35 px, the header one more.
    views.show_table(table, f"agenda_{name}", column_config=config, height=35 * (len(table) + 1) + 3)


section("not_ready", f"1. Not ready in the near term ({len(agenda.not_ready)} of {agenda.near_term_size})",
        "Every near-term item is ready.", "Fix these first, top of the ranking first.")
section("next_up", f"2. Next up ({fmt.plural(len(agenda.next_up), 'item')} to refine)",
        "The items next in line are ready.", "Would enter the near term next; unestimated items first.")
section("duplicates", f"3. Duplicates to resolve ({fmt.plural(len(agenda.duplicates), 'pair')})",
        "No open duplicates.")
first = agenda.previous_id is None
section("rank_changes", f"4. Ranking to confirm ({fmt.plural(len(agenda.rank_changes), 'item')} entered the near term)",
        "First snapshot: ingest another export to see what entered the near term." if first
        else "No item entered the near term since the snapshot before.")
shown_stale = len(agenda.stale)
section("stale", f"5. Stale: deletion candidates ({shown_stale} of {agenda.stale_total})",
        "No stale long-term items.", f"Long-term items not updated for {agenda.stale_days} days, oldest first.")
if not agenda.site:
    st.caption("Set `jira_url` under `[links]` in the rules file to link the items to Jira.")

st.subheader("Share the agenda")
left, right = st.columns([3, 1])
with left.expander("Copy as Markdown (for Confluence, Jira, Slack)"):
    st.code(markdown, language="markdown")
right.download_button(
    "Download agenda (.md)", markdown, file_name=f"agenda-{export.file_name(selection.backlog)}.md",
    mime="text/markdown", key="agenda.download",
)
