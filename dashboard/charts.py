"""Chart builders: data in, `plotly.graph_objects.Figure` out; no Streamlit, no store.

Every title says what good looks like, axes carry units, and hover text names the item
(key and summary). User text is HTML-escaped before it reaches a hover label, since
Plotly renders a subset of HTML there. Colours come from `palette`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from backlog_health.dashboard import palette

_LAYOUT = {
    "template": "plotly_white",
    "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
    "hoverlabel": {"align": "left"},
    "height": 340,
}


def _text(value: object, limit: int = 90) -> str:
    """User text made safe and short for a hover label."""
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text)


def _figure(title: str, **layout: object) -> go.Figure:
    figure = go.Figure()
    figure.update_layout(title={"text": title, "x": 0, "xanchor": "left"}, **_LAYOUT)
    figure.update_layout(**layout)
    return figure


def _category_axis(figure: go.Figure, labels: Sequence[str]) -> None:
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=list(labels))


def readiness_trend(labels: Sequence[str], ready: Sequence[int], total: Sequence[int]) -> go.Figure:
    """Ready and not-ready near-term items per step, stacked."""
    figure = _figure("Ready near-term items per step: more green is better", yaxis_title="items", barmode="stack")
    not_ready = [t - r for r, t in zip(ready, total)]
    share = [f"{r / t:.0%}" if t else "n/a" for r, t in zip(ready, total)]
    figure.add_bar(
        x=list(labels), y=list(ready), name="ready", marker_color=palette.READY, customdata=share,
        hovertemplate="%{x}<br>ready: %{y} items (%{customdata})<extra></extra>",
    )
    figure.add_bar(
        x=list(labels), y=not_ready, name="not ready", marker_color=palette.NOT_READY,
        hovertemplate="%{x}<br>not ready: %{y} items<extra></extra>",
    )
    _category_axis(figure, labels)
    return figure


def failing_checks(failing: dict[str, int], total: int) -> go.Figure:
    """Near-term items failing each Definition-of-Ready check, longest bar on top."""
    ordered = sorted(failing.items(), key=lambda kv: (kv[1], kv[0]))
    figure = _figure(
        "Near-term items failing each check: fix the longest bar first",
        xaxis_title=f"items failing (of {total} in the near term)",
        height=max(220, 60 + 34 * len(ordered)),
    )
    figure.add_bar(
        y=[name.replace("_", " ") for name, _ in ordered], x=[n for _, n in ordered], orientation="h",
        marker_color=palette.NOT_READY, name="failing",
        hovertemplate="%{y}: %{x} near-term items fail it<extra></extra>",
    )
    figure.update_xaxes(rangemode="tozero", dtick=1 if total <= 12 else None)
    return figure


def coverage_trend(labels: Sequence[str], near: Sequence[float | None], long: Sequence[float | None]) -> go.Figure:
    """Estimate coverage of the near and the long term per step, as percentages."""
    figure = _figure(
        "Estimated share of items: near term should be ~100%, long term at least roughly estimated",
        yaxis_title="estimated (%)",
    )
    for name, values, colour in (("near term", near, palette.NEAR_TERM), ("long term", long, palette.LONG_TERM)):
        figure.add_scatter(
            x=list(labels), y=[None if v is None else v * 100 for v in values], name=name, mode="lines+markers",
            line={"color": colour, "width": 3}, hovertemplate=f"%{{x}}<br>{name}: %{{y:.0f}}% estimated<extra></extra>",
        )
    figure.update_yaxes(range=[0, 105], ticksuffix="%")
    _category_axis(figure, labels)
    return figure


def size_distribution(items: pd.DataFrame, near_keys: set[str], max_points: float) -> go.Figure:
    """How many backlog items carry each estimate (near and long term stacked), with the
    largest size a sprint can take marked. `items`: key, summary, story_points."""
    estimated = items[items["story_points"].notna()].copy()
    estimated["term"] = ["near term" if k in near_keys else "long term" for k in estimated["key"]]
    figure = _figure(
        f"Story points per backlog item: items right of the line (> {max_points:g}) are too big for a sprint",
        xaxis_title="story points", yaxis_title="items", barmode="stack",
    )
    sizes = sorted(estimated["story_points"].unique())
    labels = [f"{s:g}" for s in sizes]
    for term, colour in (("near term", palette.NEAR_TERM), ("long term", palette.LONG_TERM)):
        part = estimated[estimated["term"] == term]
        counts, hover = [], []
        for size in sizes:
            group = part[part["story_points"] == size]
            counts.append(len(group))
            shown = [f"{_text(k, 20)} {_text(s, 50)}" for k, s in zip(group["key"].head(8), group["summary"].head(8))]
            more = f"<br>… and {len(group) - 8} more" if len(group) > 8 else ""
            hover.append("<br>".join(shown) + more)
        figure.add_bar(
            x=labels, y=counts, name=term, marker_color=colour, customdata=hover,
            hovertemplate=f"%{{x}} points, {term}: %{{y}} items<br>%{{customdata}}<extra></extra>",
        )
    _category_axis(figure, labels)
    too_big = [label for size, label in zip(sizes, labels) if size > max_points]
    if too_big:
        figure.add_vline(x=labels.index(too_big[0]) - 0.5, line_dash="dash", line_color=palette.LIMIT)
    return figure


def churn_trend(labels: Sequence[str], rbo: Sequence[float | None], tau: Sequence[float | None]) -> go.Figure:
    """RBO and Kendall tau of each step against the one before."""
    figure = _figure(
        "Ranking stability: 1 = same order as the step before",
        yaxis_title="similarity of the order",
    )
    figure.add_scatter(
        x=list(labels), y=list(rbo), name="Top of the order kept (RBO)", mode="lines+markers",
        line={"color": palette.NEAR_TERM, "width": 3}, hovertemplate="%{x}<br>RBO %{y:.2f}<extra></extra>",
    )
    figure.add_scatter(
        x=list(labels), y=list(tau), name="Whole order kept (Kendall tau)", mode="lines+markers",
        line={"color": palette.NEUTRAL, "width": 2, "dash": "dot"},
        hovertemplate="%{x}<br>Kendall tau %{y:.2f}<extra></extra>",
    )
    figure.update_yaxes(range=[-1.05, 1.05] if any(t is not None and t < 0 for t in tau) else [0, 1.05])
    _category_axis(figure, labels)
    return figure


def top_n_flow(
    labels: Sequence[str], entered: Sequence[int | None], left: Sequence[int | None], completed: Sequence[int | None]
) -> go.Figure:
    """Items entering the top N (up) and leaving it (down) per step."""
    figure = _figure(
        "Top-N arrivals and departures: short bars = a steady plan",
        yaxis_title="items", barmode="relative",
    )
    figure.add_bar(
        x=list(labels), y=[e or 0 for e in entered], name="entered", marker_color=palette.MOVED_UP,
        hovertemplate="%{x}<br>%{y} items entered the top N<extra></extra>",
    )
    figure.add_bar(
        x=list(labels), y=[-(v or 0) for v in left], name="pushed out (still open)", marker_color=palette.MOVED_DOWN,
        customdata=[v or 0 for v in left], hovertemplate="%{x}<br>%{customdata} items left the top N<extra></extra>",
    )
    figure.add_bar(
        x=list(labels), y=[-(v or 0) for v in completed], name="completed", marker_color=palette.READY,
        customdata=[v or 0 for v in completed], hovertemplate="%{x}<br>%{customdata} items were finished<extra></extra>",
    )
    _category_axis(figure, labels)
    return figure


def movers_chart(movers: pd.DataFrame) -> go.Figure:
    """The biggest rank moves: key, summary, previous_position, position, moved_up."""
    ordered = movers.iloc[::-1]
    figure = _figure(
        "Biggest rank moves since the step before: long bars are priority changes worth a word",
        xaxis_title="places moved (positive = up)", height=max(240, 60 + 30 * len(ordered)),
    )
    figure.add_bar(
        y=list(ordered["key"]), x=list(ordered["moved_up"]), orientation="h",
        marker_color=[palette.MOVED_UP if m > 0 else palette.MOVED_DOWN for m in ordered["moved_up"]],
        customdata=[
            (_text(s), int(p), int(n)) for s, p, n in zip(ordered["summary"], ordered["previous_position"], ordered["position"])
        ],
        hovertemplate="<b>%{y}</b> %{customdata[0]}<br>from %{customdata[1]} to %{customdata[2]}<extra></extra>",
        name="moved",
    )
    figure.update_yaxes(type="category")
    return figure


def duplicates_trend(labels: Sequence[str], linked: Sequence[int], candidates: Sequence[int]) -> go.Figure:
    """Open duplicate pairs per step: linked (or confirmed) and suggested."""
    figure = _figure("Open duplicate pairs per step: fewer is better", yaxis_title="pairs", barmode="stack")
    figure.add_bar(
        x=list(labels), y=list(linked), name="linked, still open", marker_color=palette.LINKED,
        hovertemplate="%{x}<br>%{y} linked pairs still open<extra></extra>",
    )
    figure.add_bar(
        x=list(labels), y=list(candidates), name="candidates", marker_color=palette.CANDIDATE,
        hovertemplate="%{x}<br>%{y} candidate pairs<extra></extra>",
    )
    _category_axis(figure, labels)
    return figure


def planning_readiness_chart(items: pd.DataFrame, sprint: str) -> go.Figure:
    """One bar per item that entered the sprint, green when it was ready at planning.

    `items`: key, summary, story_points, ready_at_planning, failing.
    """
    points = pd.to_numeric(items["story_points"], errors="coerce")
    # An unestimated item still gets a bar (hatched, as wide as the median estimate), so a
    # not-ready unestimated item is seen, not hidden behind a zero-length bar.
    placeholder = float(points.median()) if points.notna().any() else 1.0
    figure = _figure(
        f"Work that entered {html.escape(sprint)}: all green means it was ready at planning",
        xaxis_title="story points (unestimated: hatched, drawn at the median estimate)",
        height=max(240, 60 + 26 * len(items)),
    )
    for ready, name, colour in ((True, "ready at planning", palette.READY), (False, "not ready", palette.NOT_READY)):
        part = items[items["ready_at_planning"] == ready]
        unestimated = [pd.isna(p) for p in part["story_points"]]
        figure.add_bar(
            y=list(part["key"]), x=[placeholder if u else p for u, p in zip(unestimated, part["story_points"])],
            orientation="h", name=name, marker_color=colour, textposition="outside", cliponaxis=False,
            marker_pattern_shape=["/" if u else "" for u in unestimated],
            text=["unestimated" if u else f"{p:g}" for u, p in zip(unestimated, part["story_points"])],
            customdata=[(_text(s), _text(f) or "-", "unestimated" if u else f"{p:g} points")
                        for s, f, u, p in zip(part["summary"], part["failing"], unestimated, part["story_points"])],
            hovertemplate="<b>%{y}</b> %{customdata[0]}<br>%{customdata[2]}; failing: %{customdata[1]}<extra></extra>",
        )
    figure.update_yaxes(type="category", autorange="reversed")
    return figure


def refinement_summary(counts: dict[str, int]) -> go.Figure:
    """How many items each kind of refinement change touched."""
    colours = {
        "became ready": palette.READY,
        "stopped being ready": palette.NOT_READY,
        "new duplicates": palette.CANDIDATE,
        "newly stale": palette.NOT_READY,
    }
    names = list(counts)
    figure = _figure("What refinement changed (items)", xaxis_title="items", height=max(240, 60 + 34 * len(names)))
    figure.add_bar(
        y=names[::-1], x=[counts[n] for n in names[::-1]], orientation="h",
        marker_color=[colours.get(n, palette.NEUTRAL) for n in names[::-1]],
        hovertemplate="%{y}: %{x}<extra></extra>", name="items",
    )
    return figure


def portfolio_heatmap(backlogs: Sequence[str], shares: dict[str, Sequence[float | None]]) -> go.Figure:
    """Backlogs (rows, in the order given: worst first) by shares (columns, 0 to 1), red to green."""
    names = list(shares)
    values = [[None if shares[n][i] is None else shares[n][i] * 100 for n in names] for i in range(len(backlogs))]
    rows = [_text(b, 40) for b in backlogs]
    figure = _figure(
        "Shares per backlog, worst ready share on top: greener is better",
        height=max(220, 110 + 44 * len(rows)),
    )
    figure.add_heatmap(
        z=values, x=names, y=rows, zmin=0, zmax=100,
        colorscale=[[0.0, palette.NOT_READY], [0.5, "#fff8e1"], [1.0, palette.READY]],
        text=[["n/a" if v is None else f"{v:.0f}%" for v in row] for row in values], texttemplate="%{text}",
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>", colorbar={"ticksuffix": "%", "title": "share"},
        xgap=2, ygap=2,
    )
    figure.update_yaxes(type="category", autorange="reversed")
    figure.update_xaxes(type="category")
    return figure
