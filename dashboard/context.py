"""The global filters (backlog, snapshot or sprint range, near-term rule) in the sidebar,
and the `Selection` they make, which every page reads.

Widget keys here start with "global."; each page's own keys start with its name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd
import streamlit as st

from backlog_health.errors import OldSchemaError, StoreError
from backlog_health.model import is_rebuilt
from backlog_health.metrics.report import HistoryPoint, SnapshotMetrics
from backlog_health.rules import BUILTIN_CHECKS, NEAR_TERM_MODES, Rules
from backlog_health.dashboard import data, settings

_SELECTION = "global.selection"
_GOOD = "global.good_version"  # (path, version) whose listing and history loaded
_PREVIOUS_GOOD = "global.previous_good_version"
_PINNED = "global.pinned_version"  # (path, version, why): the next rerun uses this version
_OPEN = "global.open_backlog"  # a backlog another page chose: the sidebar picks it on the next rerun
OVERVIEW = "app_pages/overview.py"
STEP_SNAPSHOTS = "Snapshots"
STEP_SPRINTS = "Sprints"


@dataclass(frozen=True)
class StoreView:
    """The store as this rerun sees it."""

    path: str
    version: tuple
    snapshots: pd.DataFrame
    busy: str | None = None  # why the data may be behind (an ingest is writing)

    @property
    def empty(self) -> bool:
        return self.snapshots.empty


@dataclass(frozen=True)
class Selection:
    """What the sidebar chose: a backlog, its history under the rules, and a range of it."""

    path: str
    version: tuple
    backlog: str
    by_sprint: bool
    rules: Rules
    now: datetime
    history: list[HistoryPoint]  # every step of the backlog, oldest first
    start: int  # first and last step of the range (indices into history)
    end: int

    @property
    def window(self) -> list[HistoryPoint]:
        return self.history[self.start : self.end + 1]

    @property
    def current(self) -> SnapshotMetrics:
        return self.history[self.end].metrics

    @property
    def previous(self) -> SnapshotMetrics | None:
        return self.history[self.end - 1].metrics if self.end > 0 else None

    @property
    def labels(self) -> list[str]:
        return [step_label(point) for point in self.window]


def step_label(point: HistoryPoint) -> str:
    """How a step is named on axes and in pickers: its sprint, else its snapshot's date and id;
    "(rebuilt)" when the snapshot was rebuilt from Jira's changelog."""
    rebuilt = " (rebuilt)" if is_rebuilt(point.metrics.source_kind) else ""
    if point.sprint:
        return point.sprint + rebuilt
    return f"{point.metrics.taken_at:%Y-%m-%d} #{point.metrics.snapshot_id}{rebuilt}"


def now() -> datetime:
    """Now, to the hour: ages move on, cached figures stay valid for the hour."""
    return datetime.now().replace(minute=0, second=0, microsecond=0)


def open_store() -> StoreView | None:
    """The store's snapshots (None when there is no store file yet).

    An ingest job in another process may hold the store for a while (DuckDB: one writer
    process, and no readers while it writes). Then this rerun uses a version of the store
    this session read completely before (`fall_back`), whose cached loads need no
    connection, and says so.
    """
    path = settings.db_path()
    if not data.store_exists(path):
        return None
    pinned = st.session_state.pop(_PINNED, None)
    if pinned is not None and pinned[0] == path:
        version, busy = pinned[1], pinned[2]
        return StoreView(path, version, data.snapshot_list(path, version), busy=busy)
    version = data.store_version(path)
    try:
        try:
            listing = data.snapshot_list(path, version)
        except OldSchemaError:  # written by an older release: migrate it once, then read
            data.migrate(path)
            version = data.store_version(path)
            listing = data.snapshot_list(path, version)
    except StoreError as error:
        fallback = _fallback_version(path, version)
        if fallback is None:
            raise
        return StoreView(path, fallback, data.snapshot_list(path, fallback), busy=str(error))
    return StoreView(path, version, listing)


def remember_good(view: StoreView) -> None:
    """Note that this version of the store was read completely (listing and history)."""
    good = st.session_state.get(_GOOD)
    current = (view.path, view.version)
    if good != current:
        st.session_state[_PREVIOUS_GOOD] = good
        st.session_state[_GOOD] = current


def _fallback_version(path: str, failed: tuple) -> tuple | None:
    for candidate in (st.session_state.get(_GOOD), st.session_state.get(_PREVIOUS_GOOD)):
        if candidate is not None and candidate[0] == path and candidate[1] != failed:
            return candidate[1]
    return None


def fall_back(view: StoreView, error: StoreError) -> bool:
    """After a read failed mid-run (the store got locked), pin a version read completely
    before and return True (the caller reruns); False when there is none to go back to."""
    if view.busy is not None:  # this run already is a fallback: do not loop
        return False
    fallback = _fallback_version(view.path, view.version)
    if fallback is None:
        return False
    st.session_state[_PINNED] = (view.path, fallback, str(error))
    return True


def sidebar_rules(base: Rules) -> Rules:
    """The near-term rule, changeable live: count or points mode, N, sprints."""
    with st.sidebar.expander("Near-term rule", expanded=False):
        mode = st.radio(
            "Mode",
            NEAR_TERM_MODES,
            index=NEAR_TERM_MODES.index(base.near_term_mode),
            key="global.near_mode",
            horizontal=True,
            help="count: the top N items; points: items filling N sprints at the team's velocity; "
            "auto: points when a velocity is known.",
        )
        count = st.number_input(
            "N items (count mode)", min_value=1, max_value=10_000, value=base.near_term_count, step=1,
            key="global.near_count",
        )
        sprints = st.number_input(
            "Sprints of work (points mode)", min_value=0.5, max_value=20.0,
            value=float(base.near_term_sprints), step=0.5, key="global.near_sprints",
        )
        planned = st.checkbox(
            "Also items planned into open sprints", value=base.near_term_planned, key="global.near_planned",
            help="Items in an active or future sprint are near term wherever they rank "
            "(needs sprint states, e.g. a live board ingest).",
        )
    return replace(
        base, near_term_mode=mode, near_term_count=int(count), near_term_sprints=float(sprints),
        near_term_planned=bool(planned),
    )


def check_label(name: str, rules: Rules) -> str:
    """A readiness check's name as people read it."""
    labels = {
        "described": f"Described (at least {rules.min_words} words)",
        "acceptance_criteria": "Acceptance criteria",
        "estimated": "Estimated",
        "assigned": "Assigned",
        "sized": f"Sized (at most {rules.max_points:g} points)",
        "unblocked": "Unblocked",
    }
    return labels.get(name, name.replace("_", " "))


def sidebar_checks(base: Rules) -> Rules:
    """The Definition of Ready, changeable live: one switch per check (the rules file's
    choice first), and which checks are on. Every figure follows."""
    with st.sidebar.expander("Definition of Ready", expanded=False):
        on = {
            name: st.toggle(check_label(name, base), value=bool(getattr(base, name)), key=f"global.check.{name}")
            for name in BUILTIN_CHECKS
        }
        custom = tuple(
            check for check in base.custom_checks
            if st.toggle(check_label(check.name, base), value=True, key=f"global.check.custom.{check.name}")
        )
    chosen = replace(base, custom_checks=custom, **on)
    st.sidebar.caption(checks_text(chosen))
    return chosen


def checks_text(rules: Rules) -> str:
    """Which readiness checks are on, in words."""
    if not rules.enabled_checks:
        return "Ready: every check is off, so every item counts as ready."
    return "Ready = " + ", ".join(check_label(n, rules).lower() for n in rules.enabled_checks) + "."


def sidebar_selection(view: StoreView, rules: Rules, box) -> Selection:
    """Backlog, step (snapshots or sprints) and range pickers, drawn in `box`."""
    backlogs = sorted(view.snapshots["backlog"].unique())
    if st.session_state.get(_OPEN) in backlogs:  # set before the picker exists, as Streamlit requires
        st.session_state["global.backlog"] = st.session_state[_OPEN]
    st.session_state.pop(_OPEN, None)
    with box:
        backlog = st.selectbox("Backlog", backlogs, key="global.backlog")
        step = st.radio(
            "Compare", (STEP_SNAPSHOTS, STEP_SPRINTS), key="global.step", horizontal=True,
            help="Snapshots: every snapshot against the one before. Sprints: the last snapshot before "
            "each sprint started, against the previous sprint's.",
        )
        by_sprint = step == STEP_SPRINTS
        points = data.history(view.path, view.version, backlog, rules, by_sprint, now())
        labels = [step_label(p) for p in points]
        if len(labels) > 1:
            first, last = st.select_slider(
                "Range", options=labels, value=(labels[0], labels[-1]),
                key=f"global.range.{backlog}.{step}",
                help="Trend charts show this range; the last step is the one the pages describe.",
            )
            start, end = labels.index(first), labels.index(last)
        else:
            start = end = 0
        if by_sprint:
            st.caption(sprints_text(points, int((view.snapshots["backlog"] == backlog).sum())))
        if view.busy:
            st.warning(f"Showing the last data read: {view.busy}", icon=":material/hourglass_top:")
    selection = Selection(view.path, view.version, backlog, by_sprint, rules, now(), points, start, end)
    st.session_state[_SELECTION] = selection
    remember_good(view)
    return selection


def sprints_text(points: list[HistoryPoint], snapshots: int) -> str:
    """What "Sprints" compares, and how the sprint starts are known."""
    if not any(p.sprint for p in points):
        return (
            "No sprint start is known or can be inferred (no item carries a sprint yet, or every sprint "
            "appears in the first snapshot), so every snapshot is shown. Give start dates in the rules' "
            "[sprint_starts] table."
        )
    sources = [p.start.source for p in points if p.start is not None]
    how = {
        "inferred": "inferred from the snapshots (the sprint started between the last snapshot where no item "
        "carried it as its latest sprint and the first where items did)",
        "given": "given in the rules",
        "stored": "from the tracker's sprint dates",
    }
    known = "; ".join(f"{sources.count(k)} {text}" for k, text in how.items() if k in sources)
    return (
        f"Sprints compares the last snapshot before each sprint started with the previous sprint's: "
        f"{len(points)} of {snapshots} snapshots, so later snapshots are left out. Starts: {known}."
    )


def several_backlogs(view: StoreView | None) -> bool:
    """Whether the store holds more than one backlog (the Portfolio page is shown then)."""
    return view is not None and view.snapshots["backlog"].nunique() > 1


def open_overview(backlog: str) -> None:
    """Go to the Overview of `backlog`, chosen in the sidebar (the picker already exists in this
    rerun, so the choice is handed over to the next one)."""
    st.session_state[_OPEN] = backlog
    st.switch_page(OVERVIEW)


def selection() -> Selection:
    """The Selection the sidebar made in this rerun (pages call this)."""
    return st.session_state[_SELECTION]


def rules() -> Rules:
    """The rules in force (the base rules with the sidebar's near-term rule)."""
    return st.session_state["global.rules"]


def remember_rules(chosen: Rules) -> None:
    st.session_state["global.rules"] = chosen
