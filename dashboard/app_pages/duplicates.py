"""Duplicates: linked pairs still open and candidate pairs, with confirm and dismiss."""

from dataclasses import replace

import streamlit as st

from backlog_health.metrics.agenda import issue_url
from backlog_health.dashboard import charts, context, data, fmt, tables, views

REVIEW = 10  # candidate pairs offered for a decision at once

selection = context.selection()
rules = selection.rules
st.title("Duplicates")
threshold = st.slider(
    "Similarity threshold", min_value=0.1, max_value=1.0, value=float(rules.duplicate_threshold), step=0.05,
    key="duplicates.threshold",
    help="Pairs scoring at least this are candidates. Lower finds more, with more false alarms.",
)
threshold = round(threshold, 2)
m = selection.current
if abs(threshold - rules.duplicate_threshold) > 1e-9:
    m = data.metrics_of(
        selection.path, selection.version, m.snapshot_id, None,
        replace(rules, duplicate_threshold=threshold), selection.now,
    )

st.caption(
    f"{fmt.md(selection.backlog)}, {fmt.md(context.step_label(selection.history[selection.end]))}: "
    f"{fmt.plural(len(m.linked_duplicates), 'linked pair')} still open, "
    f"{fmt.plural(len(m.candidate_duplicates), 'candidate pair')} at {threshold:.2f}. A dismissed pair never comes back; a confirmed one is listed with the linked "
    "until one of them leaves the backlog."
)
done = st.session_state.pop("duplicates.done", None)
if done:
    st.toast(done)
items = data.backlog_table(selection.path, selection.version, m.snapshot_id)
linked, candidates = views.duplicate_tables(m, items, key="duplicates", candidates_folded=True)

if not candidates.empty:
    texts = data.descriptions(selection.path, selection.version, m.snapshot_id)
    st.subheader(f"Candidates to decide ({fmt.plural(len(candidates), 'pair')})")
    read_only = data.is_export(selection.path)
    st.caption(
        f"The {min(REVIEW, len(candidates))} most similar open pairs."
        + (" This store is a read-only Parquet export: decide in the DuckDB store it came from." if read_only else "")
    )
    for pair in candidates.head(REVIEW).itertuples(index=False):
        with st.container(border=True):
            left, right, actions = st.columns([5, 5, 2])
            for column, key, summary, status, rank in (
                (left, pair.key_a, pair.summary_a, pair.status_a, pair.rank_a),
                (right, pair.key_b, pair.summary_b, pair.status_b, pair.rank_b),
            ):
                url = issue_url(rules.jira_url, key)
                name = f"[{fmt.md(key)}]({url})" if url else fmt.md(key)
                column.markdown(f"**{name}** · rank {fmt.count(int(rank))} · {fmt.md(status)}")
                column.markdown(f"**{fmt.md(summary)}**")
                text = texts.get(key, "").strip()
                column.caption(fmt.md(text[:400] + ("…" if len(text) > 400 else "")) if text else "No description.")
            actions.markdown(f"score **{pair.score:.2f}**")
            for decision, label, icon in (
                ("confirmed", "Duplicate", ":material/check:"),
                ("dismissed", "Not a duplicate", ":material/close:"),
            ):
                if actions.button(
                    label, key=f"duplicates.{decision}.{pair.key_a}.{pair.key_b}", icon=icon, disabled=read_only
                ):
                    data.record_decision(selection.path, selection.backlog, pair.key_a, pair.key_b, decision)
                    st.session_state["duplicates.done"] = f"{pair.key_a} and {pair.key_b}: {decision}"
                    st.rerun()

trend = tables.trend(selection.window, selection.labels)
if len(trend) > 1:
    st.plotly_chart(
        charts.duplicates_trend(trend["step"], trend["linked_duplicates"], trend["candidate_duplicates"]),
        key="duplicates.trend",
    )
