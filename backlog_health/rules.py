"""The rules file: what "near term" and "ready" mean for a team, validated on load."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from backlog_health.errors import InputError
from backlog_health.toml_file import read_toml

NEAR_TERM_MODES = ("auto", "count", "points")
BUILTIN_CHECKS = ("described", "acceptance_criteria", "estimated", "assigned", "sized", "unblocked")


@dataclass(frozen=True)
class CustomCheck:
    """A team's own readiness check: a non-empty field, or a label the item carries."""

    name: str
    field: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class Rules:
    """Every tunable of the metrics, with the documented defaults (data/rules.toml)."""

    near_term_mode: str = "auto"
    near_term_count: int = 20
    near_term_sprints: float = 2
    velocity_sprints: int = 3
    near_term_planned: bool = True
    near_term_include_started: bool = False
    described: bool = True
    min_words: int = 10
    acceptance_criteria: bool = True
    acceptance_criteria_fields: tuple[str, ...] = (
        "Acceptance Criteria",
        "Acceptance criteria",
        "Criterios de Aceptación",
        "Criterios de aceptacion",
        "Criterios Aceptación",
    )
    estimated: bool = True
    assigned: bool = True
    sized: bool = True
    max_points: float = 8
    unblocked: bool = True
    custom_checks: tuple[CustomCheck, ...] = field(default_factory=tuple)
    duplicate_threshold: float = 0.65
    duplicate_candidates_per_item: int = 10
    rbo_p: float = 0.9
    stale_days: int = 90
    old_days: int = 365
    # (sprint name, start): start dates a team states, for exports that carry sprint names only
    sprint_starts: tuple[tuple[str, datetime], ...] = ()
    jira_url: str | None = None  # the Jira site of CSV exports, for links to issues

    @property
    def enabled_checks(self) -> tuple[str, ...]:
        """Names of the checks that decide readiness, built-in first."""
        builtin = tuple(name for name in BUILTIN_CHECKS if getattr(self, name))
        return builtin + tuple(check.name for check in self.custom_checks)

    def with_near_term_count(self, count: int) -> Rules:
        """These rules with exactly the top `count` items as near term (the `--near-term N`
        quick look: planned items outside the top N are not added; started work stays out
        unless `near_term.include_started`)."""
        return replace(self, near_term_mode="count", near_term_count=count, near_term_planned=False)

    def with_sprint_starts(self, starts: dict[str, datetime]) -> Rules:
        """These rules with `starts` added to (and overriding) the rules file's sprint starts."""
        merged = {**dict(self.sprint_starts), **starts}
        return replace(self, sprint_starts=tuple(sorted(merged.items(), key=lambda s: (s[1], s[0]))))


def parse_sprint_start(text: str) -> tuple[str, datetime]:
    """ "Sprint 12=2026-10-05" (or a date and time, "2026-10-05T09:00") -> (name, start)."""
    name, sep, when = text.rpartition("=")
    if not sep or not name.strip():
        raise InputError("--sprint-start", f'expected NAME=DATE like "Sprint 12=2026-10-05", got "{text}"')
    return name.strip(), _start_date(when.strip(), f'--sprint-start "{text}"')


def _start_date(value: Any, where: str) -> datetime:
    """A sprint start: a TOML date or date-time, or an ISO text; a date means its midnight."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).replace(tzinfo=None)
        except ValueError:
            pass
    raise InputError(where, f"expected a start date like 2026-10-05, got {value!r}")


# (section, key) -> (Rules attribute, expected type, description for messages)
_KEYS: dict[tuple[str, str], tuple[str, type | tuple[type, ...], str]] = {
    ("near_term", "mode"): ("near_term_mode", str, 'one of "auto", "count", "points"'),
    ("near_term", "count"): ("near_term_count", int, "a whole number >= 1"),
    ("near_term", "sprints"): ("near_term_sprints", (int, float), "a number > 0"),
    ("near_term", "velocity_sprints"): ("velocity_sprints", int, "a whole number >= 1"),
    ("near_term", "planned"): ("near_term_planned", bool, "true or false"),
    ("near_term", "include_started"): ("near_term_include_started", bool, "true or false"),
    ("ready", "described"): ("described", bool, "true or false"),
    ("ready", "min_words"): ("min_words", int, "a whole number >= 0"),
    ("ready", "acceptance_criteria"): ("acceptance_criteria", bool, "true or false"),
    ("ready", "acceptance_criteria_fields"): ("acceptance_criteria_fields", list, "a list of field names"),
    ("ready", "estimated"): ("estimated", bool, "true or false"),
    ("ready", "assigned"): ("assigned", bool, "true or false"),
    ("ready", "sized"): ("sized", bool, "true or false"),
    ("ready", "max_points"): ("max_points", (int, float), "a number >= 0"),
    ("ready", "unblocked"): ("unblocked", bool, "true or false"),
    ("duplicates", "threshold"): ("duplicate_threshold", (int, float), "a number between 0 and 1"),
    ("duplicates", "candidates_per_item"): ("duplicate_candidates_per_item", int, "a whole number >= 1"),
    ("churn", "rbo_p"): ("rbo_p", (int, float), "a number strictly between 0 and 1"),
    ("aging", "stale_days"): ("stale_days", int, "a whole number >= 1"),
    ("aging", "old_days"): ("old_days", int, "a whole number >= 1"),
    ("links", "jira_url"): ("jira_url", str, "a web address like https://example.atlassian.net"),
}


def load_rules(path: str | Path | None = None) -> Rules:
    """The rules in the TOML file at `path` (defaults for every key it leaves out)."""
    if path is None:
        return Rules()
    name = str(path)
    table = read_toml(path, name, "rules file")
    return rules_from_table(table, name)


def rules_from_table(table: dict[str, Any], name: str = "rules") -> Rules:
    """Validate a parsed rules table; InputError names the first bad key."""
    values: dict[str, Any] = {}
    for section, content in table.items():
        if not isinstance(content, dict):
            raise InputError(name, f'"{section}" must be a [{section}] table')
        if section == "sprint_starts":
            starts = {str(k): _start_date(v, f'{name}, "sprint_starts.{k}"') for k, v in content.items()}
            values["sprint_starts"] = Rules().with_sprint_starts(starts).sprint_starts
            continue
        for key, value in content.items():
            if (section, key) == ("ready", "custom"):
                values["custom_checks"] = _custom_checks(value, name)
                continue
            if (section, key) not in _KEYS:
                known = sorted({f"{s}.{k}" for s, k in _KEYS} | {"ready.custom", "sprint_starts.NAME"})
                raise InputError(name, f'unknown key "{section}.{key}"; known keys: {", ".join(known)}')
            attribute, expected, description = _KEYS[(section, key)]
            if not _valid(value, expected, attribute):
                raise InputError(name, f'"{section}.{key}" must be {description}, got {value!r}')
            values[attribute] = tuple(value) if isinstance(value, list) else value
    return Rules(**values)


def _valid(value: Any, expected, attribute: str) -> bool:
    if isinstance(value, bool) and expected is not bool:
        return False
    if not isinstance(value, expected):
        return False
    if attribute == "near_term_mode":
        return value in NEAR_TERM_MODES
    if attribute == "acceptance_criteria_fields":
        return all(isinstance(v, str) for v in value)
    if attribute in ("near_term_count", "velocity_sprints", "stale_days", "old_days", "duplicate_candidates_per_item"):
        return value >= 1
    if attribute == "near_term_sprints":
        return value > 0
    if attribute in ("min_words", "max_points"):
        return value >= 0
    if attribute == "duplicate_threshold":
        return 0 <= value <= 1
    if attribute == "jira_url":
        return value.startswith(("https://", "http://")) and len(value) > len("https://")
    if attribute == "rbo_p":
        return 0 < value < 1
    return True


def _custom_checks(value: Any, name: str) -> tuple[CustomCheck, ...]:
    if not isinstance(value, list):
        raise InputError(name, '"ready.custom" must be a list of [[ready.custom]] tables')
    checks = []
    for index, entry in enumerate(value, start=1):
        where = f'"ready.custom" entry {index}'
        if not isinstance(entry, dict):
            raise InputError(name, f"{where} must be a table")
        unknown = set(entry) - {"name", "field", "label"}
        if unknown:
            raise InputError(name, f'{where}: unknown key "{sorted(unknown)[0]}"; expected name and field or label')
        check_name = entry.get("name")
        if not isinstance(check_name, str) or not check_name:
            raise InputError(name, f'{where} needs a "name"')
        if check_name in BUILTIN_CHECKS:
            raise InputError(name, f'{where}: "{check_name}" is a built-in check; choose another name')
        has_field, has_label = isinstance(entry.get("field"), str), isinstance(entry.get("label"), str)
        if has_field == has_label:
            raise InputError(name, f'{where} ("{check_name}") needs exactly one of "field" or "label"')
        checks.append(CustomCheck(check_name, entry.get("field"), entry.get("label")))
    if len({c.name for c in checks}) != len(checks):
        raise InputError(name, '"ready.custom" has two checks with the same name')
    return tuple(checks)
