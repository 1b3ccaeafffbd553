"""Thresholds a snapshot must meet before sprint planning (`backlog-health check --fail-under`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from backlog_health.errors import InputError
from backlog_health.metrics.report import SnapshotMetrics


@dataclass(frozen=True)
class Threshold:
    """A headline figure that can be required to reach a minimum."""

    label: str
    value: Callable[[SnapshotMetrics], float | None]
    share: bool  # a share (0..1), written as a percentage


THRESHOLDS: dict[str, Threshold] = {
    "ready": Threshold("ready share of the near term", lambda m: m.readiness.ratio, True),
    "ready_sprints": Threshold("ready sprints ahead", lambda m: m.readiness.ready_sprints_ahead, False),
    "estimated_near": Threshold("estimated share of the near term", lambda m: m.coverage.near_term, True),
    "estimated_long": Threshold("estimated share of the long term", lambda m: m.coverage.long_term, True),
    "estimated": Threshold("estimated share of the backlog", lambda m: m.coverage.all, True),
    "rank_stability": Threshold("ranking stability (RBO)", lambda m: None if m.churn is None else m.churn.rbo,
                                False),
}


@dataclass(frozen=True)
class Miss:
    """A threshold the snapshot did not reach (`value` None: the figure is unknown)."""

    name: str
    value: float | None
    minimum: float

    def message(self) -> str:
        """One line: "ready share of the near term 64% is under 80%"."""
        threshold = THRESHOLDS[self.name]
        shown = _shown(self.minimum, threshold.share)
        if self.value is None:
            return f"{threshold.label} is unknown for this snapshot (required: at least {shown})"
        return f"{threshold.label} {_shown(self.value, threshold.share)} is under {shown}"


def _shown(value: float, share: bool) -> str:
    return f"{value:.0%}" if share else f"{value:.2f}"


def parse_thresholds(texts: list[str]) -> dict[str, float]:
    """`["ready=0.8,estimated_near=90%"]` -> {"ready": 0.8, "estimated_near": 0.9}."""
    chosen: dict[str, float] = {}
    for part in (p.strip() for text in texts for p in text.split(",")):
        if not part:
            continue
        name, sep, raw = (x.strip() for x in part.partition("="))
        if not sep or name not in THRESHOLDS:
            known = ", ".join(THRESHOLDS)
            raise InputError("--fail-under", f'expected NAME=MINIMUM with NAME one of {known}, got "{part}"')
        try:
            value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
        except ValueError:
            raise InputError("--fail-under", f'expected a number like 0.8 or 80% for {name}, got "{raw}"') from None
        if THRESHOLDS[name].share and not 0 <= value <= 1:
            raise InputError("--fail-under", f'{name} is a share: expected 0..1 or 0%..100%, got "{raw}"')
        chosen[name] = value
    return chosen


def missed(metrics: SnapshotMetrics, minimums: dict[str, float]) -> list[Miss]:
    """The thresholds `metrics` does not reach, in the order given; an unknown figure misses."""
    misses = []
    for name, minimum in minimums.items():
        value = THRESHOLDS[name].value(metrics)
        if value is None or value < minimum:
            misses.append(Miss(name, value, minimum))
    return misses
