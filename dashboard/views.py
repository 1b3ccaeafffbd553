"""Page sections shared by the store's pages and the Upload page: each takes metric
results (and item fields), hands them to chart builders and tables, and draws them.

Widget keys are passed in (`key`), so the same section keeps separate state per page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from backlog_health.metrics.report import HistoryPoint, SnapshotMetrics
from backlog_health.dashboard import charts, export, fmt, palette, tables


# Column headers a person reads, for the frames' snake_case names (the data keeps its names,
# so downloads and tests see the same columns as before).
HEADERS = {
    "key": "Item", "key_a": "Item A", "key_b": "Item B", "summary_a": "Summary A", "summary_b": "Summary B",
    "status_a": "Status", "status_b": "Status", "rank_a": "Rank", "rank_b": "Rank", "rank": "Rank",
    "previous_position": "Was at", "position": "Now at", "moved_up": "Moved up (places)", "idle_days": "Days idle",
    "story_points": "Points", "points": "Points", "score": "Similarity", "ready": "Ready",
    "rank_position": "Rank", "acceptance_criteria": "AC",
}


def header(name: str) -> str:
    """"previous_position" -> "Was at"; any other snake_case name -> "Sentence case"."""
    if name in HEADERS:
        return HEADERS[name]
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


def show_table(frame, key: str, download: str | None = None, raw: pd.DataFrame | None = None, **options) -> None:
    """A read-only table in a container keyed `key` (tests find tables by that key), with a
    formula-safe CSV download of `raw` (default: the frame) named after `download`.

    Headers are shown in words (`header`), and a missing text as "-" rather than None."""
    columns = list(frame.columns) if isinstance(frame, pd.DataFrame) else list(frame.data.columns)
    config = dict(options.pop("column_config", None) or {})
    for column in columns:
        entry = config.get(column)
        if entry is None:
            config[column] = st.column_config.Column(header(str(column)))
        elif isinstance(entry, dict) and str(entry.get("label") or column).lower() in (
            str(column).lower(), str(column).replace("_", " ").lower()
        ):
            config[column] = {**entry, "label": header(str(column))}
    if isinstance(frame, pd.DataFrame):
        frame = frame.copy()
        for column in frame.columns[frame.dtypes == object]:
            frame[column] = frame[column].where(frame[column].notna(), "-")
    with st.container(key=key):
        st.dataframe(frame, hide_index=True, width="stretch", column_config=config, **options)
        if download:
            data = frame if raw is None else raw
            st.download_button(
                "Download CSV", data=lambda: export.csv_bytes(data), file_name=f"{export.file_name(download)}.csv",
                mime="text/csv", key=f"{key}.csv", type="tertiary", icon=":material/download:", on_click="ignore",
            )


def rule_text(m: SnapshotMetrics) -> str:
    """The near-term rule that applied, in words."""
    rule = m.near_term.rule()
    items = "items" if m.near_term.include_started else "items not yet started"
    if rule["mode"] == "count":
        return f"near term = the top {rule['count']} {items} by rank (count mode)"
    return (
        f"near term = {items} filling {rule['sprints']:g} sprints × velocity "
        f"{fmt.num(rule['velocity'])} points = {fmt.num(rule['capacity_points'])} points (points mode)"
    )



def _series(values: Sequence[float | None], scale: float = 1.0) -> list[float] | None:
    kept = [v * scale for v in values if v is not None]
    return kept if len(kept) > 1 else None


# Each card: label, value, delta, sparkline values, delta colour, help.
Card = tuple[str, str, str | None, list[float] | None, str, str]


def headline_cards(points: Sequence[HistoryPoint], start: int, end: int) -> list[Card]:
    """The Overview's cards for step `end` (delta against step end-1, trend over start..end)."""
    window = [p.metrics for p in points[start : end + 1]]
    now = points[end].metrics
    before = points[end - 1].metrics if end > 0 else None
    churn, churn_before = now.churn, None if before is None else before.churn
    unknown = "not known" if now.churn_not_known else None

    def prior(get: Callable[[SnapshotMetrics], object]) -> object:
        return None if before is None else get(before)

    return [
        (
            "Ready share of the near term",
            fmt.pct(now.readiness.ratio),
            fmt.delta_pp(now.readiness.ratio, prior(lambda m: m.readiness.ratio)),
            _series([m.readiness.ratio for m in window], 100),
            "normal",
            f"{now.readiness.ready} of {now.near_term.size} near-term items pass every Definition-of-Ready check.",
        ),
        (
            "Ready sprints ahead",
            fmt.num(now.readiness.ready_sprints_ahead),
            fmt.delta_num(now.readiness.ready_sprints_ahead, prior(lambda m: m.readiness.ready_sprints_ahead)),
            _series([m.readiness.ready_sprints_ahead for m in window]),
            "normal",
            (
                "Sprints of work that are ready, counted from the top of the backlog until the first "
                "item that is not ready (points / velocity)."
            ),
        ),
        (
            "Estimated, near term",
            fmt.pct(now.coverage.near_term),
            fmt.delta_pp(now.coverage.near_term, prior(lambda m: m.coverage.near_term)),
            _series([m.coverage.near_term for m in window], 100),
            "normal",
            f"{now.coverage.near_term_estimated} of {now.coverage.near_term_items} near-term items carry an estimate.",
        ),
        (
            "Estimated, long term",
            fmt.pct(now.coverage.long_term),
            fmt.delta_pp(now.coverage.long_term, prior(lambda m: m.coverage.long_term)),
            _series([m.coverage.long_term for m in window], 100),
            "normal",
            (
                f"{now.coverage.long_term_estimated} of {now.coverage.long_term_items} long-term items "
                "carry a (rough) estimate."
            ),
        ),
        (
            "Open duplicate candidates",
            fmt.count(len(now.candidate_duplicates)),
            fmt.delta_count(len(now.candidate_duplicates), prior(lambda m: len(m.candidate_duplicates))),
            _series([float(len(m.candidate_duplicates)) for m in window]),
            "inverse",
            "Pairs of backlog items whose text is alike, not yet linked, confirmed or dismissed. Fewer is better.",
        ),
        (
            TOP_KEPT,
            unknown or fmt.num(None if churn is None else churn.rbo, 2),
            fmt.delta_num(None if churn is None else churn.rbo, None if churn_before is None else churn_before.rbo, 2),
            _series([None if m.churn is None else m.churn.rbo for m in window]),
            "normal",
            "How much of the order with the step before was kept, the top weighing most: 1 = unchanged. "
            "Technical name: rank-biased overlap (RBO)."
            + (f" Ranking churn is {now.churn_not_known}." if unknown else ""),
        ),
        (
            "New in the near term",
            unknown or (fmt.MISSING if churn is None else f"{churn.entered_top_n} of {churn.top_n}"),
            None if churn is None else f"{churn.completed_from_top_n} finished",
            _series([None if m.churn is None else float(m.churn.entered_top_n) for m in window]),
            "off",
            "Near-term items that were not in the previous near term (6 of 11: six of the eleven are new), and how many of the previous ones were "
            "finished. Pushed-out items that are still open are the turnover "
            f"({fmt.pct(None if churn is None else churn.top_n_turnover)} of the previous near term).",
        ),
        (
            "Backlog size",
            fmt.count(now.growth.backlog_items),
            fmt.delta_count(now.growth.backlog_items, prior(lambda m: m.growth.backlog_items)),
            _series([float(m.growth.backlog_items) for m in window]),
            "off",
            "Open backlog items (not done, not sub-tasks or epics).",
        ),
    ]


def draw_cards(cards: Sequence[Card], per_row: int = 4) -> None:
    for row_start in range(0, len(cards), per_row):
        columns = st.columns(per_row)
        for column, (label, value, delta, series, colour, help_text) in zip(columns, cards[row_start : row_start + per_row]):
            still = fmt.unchanged(delta)
            column.metric(
                label, value, delta, delta_color="off" if still else colour, help=help_text, border=True,
                chart_data=series, chart_type="line",
                # a delta in words ("6 finished") is a note, not a rise
                delta_arrow="off" if still or (delta and delta[0] not in "+-") else "auto",
            )


_SHORT = {"acceptance_criteria": "AC", "described": "described", "unblocked": "unblocked"}


def _tick_colour(value: object) -> str:
    """Ready green and not-ready red, as in every chart."""
    if value == tables.TICK:
        return f"color: {palette.READY}; font-weight: bold"
    if value == tables.CROSS:
        return f"color: {palette.NOT_READY}; font-weight: bold"
    return ""


def readiness_section(
    m: SnapshotMetrics, items: pd.DataFrame, trend: pd.DataFrame | None, key: str
) -> pd.DataFrame:
    """The near-term items with a tick or cross per check, readiness over time, and the check
    that fails most. Returns the table shown (for exports)."""
    st.caption(rule_text(m))
    only_not_ready = st.toggle("Only items that are not ready", key=f"{key}.not_ready")
    table = tables.readiness_table(m.checks, m.near_term.keys, items)
    if only_not_ready:
        table = table[~table["ready"]].reset_index(drop=True)
    check_columns = list(m.checks.columns)
    shown = tables.ticks(table, check_columns)
    order = ["rank", "key", "ready", "summary", "status", "points", *[c for c in check_columns if c != "ready"]]
    show_table(
        shown[order].style.map(_tick_colour, subset=check_columns),
        f"{key}.table",
        download="near-term readiness",
        raw=table[order],
        height=35 * (len(table) + 1) + 3,  # every near-term row visible, no scrolling
        column_config={
            "rank": st.column_config.NumberColumn("rank", format="%d", width=50),
            "key": st.column_config.TextColumn("key", width=110),
            "ready": st.column_config.TextColumn("ready", width=55, help="Every check passes."),
            "summary": st.column_config.TextColumn("summary", width="medium"),
            "points": st.column_config.NumberColumn("points", format="%g", width=60),
            "status": st.column_config.TextColumn("status", width=85),
            **{
                c: st.column_config.TextColumn(_SHORT.get(c, c), width=62, help=c.replace("_", " "))
                for c in check_columns if c != "ready"
            },
        },
    )
    _readiness_summary(m, trend, key)
    started_section(m, items, key)
    return table


def _readiness_summary(m: SnapshotMetrics, trend: pd.DataFrame | None, key: str) -> None:
    """The check that fails most, readiness over time and failures per check."""
    if m.near_term.size == 0:
        st.info("The near term is empty: the backlog has no open items that are not yet started.")
        return
    if not m.readiness.failing:
        st.info("Every readiness check is switched off (rules file or sidebar).")
        return
    worst = max(m.readiness.failing.values())
    if worst == 0:
        st.success(f"Every near-term item passes every check ({m.near_term.size} items).")
    else:
        names = [fmt.md(n.replace("_", " ")) for n, v in m.readiness.failing.items() if v == worst]
        st.markdown(
            f"The check that fails most: **{' and '.join(names)}**, failed by {worst} of "
            f"{m.near_term.size} near-term items."
        )
    left, right = st.columns(2)
    if trend is not None and len(trend) > 1:
        left.plotly_chart(
            charts.readiness_trend(trend["step"], trend["ready"], trend["near_term"]), key=f"{key}.trend"
        )
    right.plotly_chart(charts.failing_checks(m.readiness.failing, m.near_term.size), key=f"{key}.failing")


def started_section(m: SnapshotMetrics, items: pd.DataFrame, key: str) -> None:
    """Work already under way above or inside the near term, listed apart and not scored."""
    if not m.near_term.started:
        return
    st.subheader(f"Started work (not scored) ({len(m.near_term.started)})")
    st.caption(
        "Backlog items already in progress (status category In Progress), ranked above the last "
        "near-term item: work under way is not judged for readiness. Set `near_term.include_started "
        "= true` in the rules to score it as near term."
    )
    show_table(
        tables.item_rows(m.near_term.started, items).assign(
            assignee=items.set_index("key").reindex(list(m.near_term.started))["assignee"].to_numpy(dtype=object)
        ),
        f"{key}.started",
        download="started work",
        column_config={"rank": st.column_config.NumberColumn("rank", format="%d", width=50),
                       "points": st.column_config.NumberColumn("points", format="%g", width=60)},
    )


def estimates_section(
    m: SnapshotMetrics, items: pd.DataFrame, trend: pd.DataFrame | None, max_points: float, key: str
) -> dict[str, pd.DataFrame]:
    """Coverage now and over time, the unestimated near-term items, sizes and items too big."""
    c = m.coverage
    cards = st.columns(3)
    cards[0].metric("Estimated, near term", fmt.pct(c.near_term), border=True,
                    help=f"{c.near_term_estimated} of {c.near_term_items} items")
    cards[1].metric("Estimated, long term", fmt.pct(c.long_term), border=True,
                    help=f"{c.long_term_estimated} of {c.long_term_items} items")
    cards[2].metric("Estimated, whole backlog", fmt.pct(c.all), border=True)
    if trend is not None and len(trend) > 1:
        st.plotly_chart(
            charts.coverage_trend(trend["step"], trend["coverage_near"], trend["coverage_long"]), key=f"{key}.trend"
        )
    unestimated = tables.unestimated(m.judged, items)
    st.subheader(f"Unestimated near-term items ({len(unestimated)})")
    if unestimated.empty:
        st.success("Every near-term item has an estimate.")
    else:
        show_table(unestimated, f"{key}.unestimated", download="unestimated near-term items")
    st.plotly_chart(
        charts.size_distribution(items, set(m.near_term.keys), max_points), key=f"{key}.sizes"
    )
    result = {"unestimated near-term items": unestimated}
    if "sized" in m.checks.columns:
        too_big_keys = list(m.checks.index[~m.checks["sized"].astype(bool)])
        too_big = tables.item_rows(too_big_keys, items)
        st.subheader(f"Too big for a sprint, without sub-tasks ({len(too_big)})")
        if too_big.empty:
            st.success("No backlog item is too big for a sprint without being split.")
        else:
            show_table(too_big, f"{key}.too_big", download="too big for a sprint")
        result["too big for a sprint"] = too_big
    else:
        st.info("The `sized` check is switched off in the rules, so no item is judged too big.")
    return result


_PAIR_COLUMNS = {
    **{f"key_{s}": st.column_config.TextColumn(f"key {s.upper()}", width=110) for s in "ab"},
    **{f"summary_{s}": st.column_config.TextColumn(f"summary {s.upper()}", width="medium") for s in "ab"},
    **{f"status_{s}": st.column_config.TextColumn("status", width=85) for s in "ab"},
    **{f"rank_{s}": st.column_config.NumberColumn("rank", width=55, format="%d") for s in "ab"},
}


def duplicate_tables(
    m: SnapshotMetrics, items: pd.DataFrame, key: str, candidates_folded: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Linked-but-open duplicates and candidate pairs, side by side (`candidates_folded`: the
    candidates table in a closed expander, when decision cards already show them)."""
    linked = tables.pairs(m.linked_duplicates, items)
    candidates = tables.pairs(m.candidate_duplicates, items)
    with st.container():
        st.subheader(f"Linked, still open ({fmt.plural(len(linked), 'pair')})")
        st.caption("Pairs marked as duplicates (in the tracker or here) that are both still in the backlog.")
        if linked.empty:
            st.success("No linked duplicate is left open.")
        else:
            show_table(linked, f"{key}.linked", download="linked duplicates", column_config=_PAIR_COLUMNS)
    with st.container():
        if not candidates_folded:
            st.subheader(f"Candidates ({fmt.plural(len(candidates), 'pair')})")
            st.caption("Pairs whose text reads alike (score 0–1), not yet linked, confirmed or dismissed.")
        if candidates.empty:
            st.success("No candidate pairs at this threshold.")
        else:
            place = st.expander(f"Every candidate pair as a table ({len(candidates)})") if candidates_folded else st.container()
            with place:
                show_table(
                    candidates, f"{key}.candidates", download="duplicate candidates",
                    column_config={
                        **_PAIR_COLUMNS,
                        "score": st.column_config.ProgressColumn("Similarity", min_value=0.0, max_value=1.0, format="%.2f", width=90),
                    },
                )
    return linked, candidates


TOP_KEPT, ORDER_KEPT = "Top of the order kept", "Whole order kept"


def churn_section(
    m: SnapshotMetrics, trend: pd.DataFrame | None, top_table: pd.DataFrame | None, key: str, items: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    """How much of the order was kept over time, the top N against the step before, the
    biggest movers, entered and left."""
    churn = m.churn
    unknown = "not known" if m.churn_not_known else None
    cards = st.columns(4)
    cards[0].metric(TOP_KEPT, unknown or fmt.num(None if churn is None else churn.rbo, 2), border=True,
                    help="How much of the order with the step before was kept, the top weighing most: 1 = same "
                         "order, 0 = nothing in common. Technical name: rank-biased overlap (RBO).")
    cards[1].metric(ORDER_KEPT, unknown or fmt.num(None if churn is None else churn.kendall_tau, 2), border=True,
                    help="How much the whole order agrees with the step before, over items in both: 1 = same "
                         "order, 0 = unrelated, -1 = reversed. Technical name: Kendall's tau.")
    cards[2].metric("Mean move (places)", unknown or fmt.num(None if churn is None else churn.mean_abs_displacement), border=True)
    cards[3].metric("New in the top N",
                    unknown or (fmt.MISSING if churn is None else f"{churn.entered_top_n} of {churn.top_n}"),
                    None if churn is None else f"{churn.completed_from_top_n} finished", delta_color="off",
                    delta_arrow="off", border=True,
                    help=f"Top N = the near term ({m.near_term.size} items): how many of its items were not in "
                         "the previous top N, and how many of those replaced finished work.")
    if trend is not None and len(trend) > 1:
        left, right = st.columns(2)
        left.plotly_chart(charts.churn_trend(trend["step"], trend["rbo"], trend["kendall_tau"]), key=f"{key}.trend")
        right.plotly_chart(
            charts.top_n_flow(trend["step"], trend["entered_top_n"], trend["left_top_n"], trend["completed_from_top_n"]),
            key=f"{key}.flow",
        )
    if top_table is not None and not top_table.empty:
        st.subheader(f"The top {len(top_table)} against the step before")
        show_table(top_table, f"{key}.top", download="top n", height=35 * (len(top_table) + 1) + 3)
    if churn is None:
        st.info(f"Ranking churn is {m.churn_not_known}." if m.churn_not_known
                else "This is the first step: there is nothing to compare the ranking with.")
        return {}
    moved = tables.movers(churn)
    st.subheader("Biggest movers")
    if moved.empty:
        st.success("No item changed its position.")
    else:
        st.plotly_chart(charts.movers_chart(moved), key=f"{key}.movers_chart")
        show_table(moved, f"{key}.movers", download="biggest movers")
    entered = tables.item_rows(churn.entered, items)
    left_rows = tables.item_rows(churn.left, items)
    left, right = st.columns(2)
    with left:
        st.subheader(f"Entered the top {churn.top_n} ({len(entered)})")
        st.caption(f"{churn.entered_top_n_new} new to the backlog, {churn.entered_top_n_moved_up} moved up.")
        if not entered.empty:
            show_table(entered, f"{key}.entered", download="entered the top n")
    with right:
        st.subheader(f"Left the top {churn.top_n} ({len(left_rows)})")
        st.caption(
            f"Still open but pushed down; besides, {churn.completed_from_top_n} were finished and "
            f"{churn.removed_from_top_n} removed."
        )
        if not left_rows.empty:
            show_table(left_rows, f"{key}.left", download="left the top n")
    return {"biggest movers": moved, "entered the top N": entered, "left the top N": left_rows}


def first_run(path: str, load_demo: Callable[..., int]) -> None:
    """The empty store's welcome: how to ingest, or one click to load the demo."""
    st.title("Backlog health")
    st.subheader("No backlog snapshots yet")
    st.write(
        "Export your backlog from Jira (**Export > Export CSV (all fields)**) and snapshot it into "
        "the store, once before every sprint planning:"
    )
    st.code("backlog-health ingest jira-csv export.csv", language="bash")
    st.write("Or drop the file on the **Upload** page, or look around with the demo history "
             "(two teams, twelve sprints):")
    if st.button("Load demo data", type="primary", key="first_run.demo", icon=":material/download:"):
        bar = st.progress(0.0, text="Loading the demo history…")
        added = load_demo(path, progress=lambda done, total: bar.progress(done / total, text=f"Snapshot {done} of {total}"))
        st.session_state["first_run.loaded"] = added
        st.rerun()
    st.caption(f"Store: {path}")


NO_COLUMN = "(none)"


def column_mapping(name: str, header: list[str], guessed: dict[str, str], key: str) -> tuple[tuple[str, str], ...]:
    """A form mapping a CSV's columns to the generic reader's fields, pre-filled with `guessed`."""
    from backlog_health.ingest.generic_csv import FIELDS, REQUIRED_FIELDS

    with st.expander(f"Columns of {name}", expanded=True):
        st.caption(
            "Not a Jira export: tell which column holds what. The guesses are pre-filled; "
            "key and summary are required."
        )
        columns = st.columns(3)
        mapping = []
        for index, field in enumerate(FIELDS):
            options = [NO_COLUMN, *header]
            default = options.index(guessed[field]) if field in guessed else 0
            label = field.replace("_", " ") + (" (required)" if field in REQUIRED_FIELDS else "")
            chosen = columns[index % 3].selectbox(label, options, index=default, key=f"{key}.{field}")
            if chosen != NO_COLUMN:
                mapping.append((field, chosen))
    return tuple(mapping)


def done_statuses(name: str, statuses: list[str], key: str) -> tuple[str, ...]:
    """A field choosing which of a CSV's statuses mean done (beyond those the tool knows)."""
    chosen = st.multiselect(
        f"Done statuses of {name}",
        statuses,
        key=key,
        placeholder="Statuses that mean done, e.g. Fait (à livrer), Validé, Annulé",
        help="Items in these statuses count as done, not as backlog. Statuses the tool knows "
        "in English, Spanish and French (Done, Closed, Terminé...) are done already.",
    )
    return tuple(chosen)

