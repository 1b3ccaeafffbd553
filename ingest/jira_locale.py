"""Jira's export vocabulary in every language we know, merged into one lookup.

The tables live in `ingest/locales/*.toml`, one file per UI language; adding a
language is adding a file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Case- and whitespace-insensitive form used to match headers and values."""
    return _SPACES.sub(" ", text.replace("\ufeff", "")).strip().casefold()


@dataclass(frozen=True)
class JiraVocabulary:
    """Header names and values of Jira CSV exports across locales."""

    headers: dict[str, str]  # normalized header -> canonical field
    header_priority: dict[str, int]  # normalized header -> order within its field's list
    custom_field_prefixes: tuple[str, ...]  # normalized
    inward_link_prefixes: tuple[str, ...]
    outward_link_prefixes: tuple[str, ...]
    months: dict[str, int]
    status_categories: dict[str, str]
    done_statuses: frozenset[str]
    in_progress_statuses: frozenset[str]
    to_do_statuses: frozenset[str]  # known, so a file of them alone needs no "nothing done" warning
    subtask_types: frozenset[str]
    epic_types: frozenset[str]
    link_types: dict[str, str]  # normalized name -> canonical link type
    languages: tuple[str, ...]

    def examples(self, field: str) -> list[str]:
        """Header names (normalized) that map to `field`, for error messages."""
        return [h for h, f in self.headers.items() if f == field]


@cache
def vocabulary() -> JiraVocabulary:
    """Every locale file merged into one `JiraVocabulary`."""
    headers: dict[str, str] = {}
    priority: dict[str, int] = {}
    custom, inward, outward = [], [], []
    months: dict[str, int] = {}
    categories: dict[str, str] = {}
    done, in_progress, to_do, subtask, epic = set(), set(), set(), set(), set()
    link_types: dict[str, str] = {}
    languages = []
    folder = resources.files("backlog_health.ingest").joinpath("locales")
    for file in sorted(folder.iterdir(), key=lambda f: f.name):
        if not file.name.endswith(".toml"):
            continue
        table = tomllib.loads(file.read_text("utf-8"))
        languages.append(table.get("language", file.name.removesuffix(".toml")))
        for field, names in table.get("headers", {}).items():
            for index, name in enumerate(names):
                headers.setdefault(normalize(name), field)
                priority.setdefault(normalize(name), index)
        custom += [normalize(p) for p in table.get("custom_field_prefixes", [])]
        inward += [normalize(p) for p in table.get("inward_link_prefixes", [])]
        outward += [normalize(p) for p in table.get("outward_link_prefixes", [])]
        months.update({normalize(k): int(v) for k, v in table.get("months", {}).items()})
        categories.update(
            {normalize(k): v for k, v in table.get("status_categories", {}).items()}
        )
        names = table.get("status_names", {})
        done |= {normalize(n) for n in names.get("done", [])}
        in_progress |= {normalize(n) for n in names.get("in_progress", [])}
        to_do |= {normalize(n) for n in names.get("to_do", [])}
        types = table.get("issue_types", {})
        subtask |= {normalize(n) for n in types.get("subtask", [])}
        epic |= {normalize(n) for n in types.get("epic", [])}
        for canonical, aliases in table.get("link_types", {}).items():
            for alias in [canonical, *aliases]:
                link_types[normalize(alias)] = canonical
    return JiraVocabulary(
        headers=headers,
        header_priority=priority,
        custom_field_prefixes=tuple(custom),
        inward_link_prefixes=tuple(inward),
        outward_link_prefixes=tuple(outward),
        months=months,
        status_categories=categories,
        done_statuses=frozenset(done),
        in_progress_statuses=frozenset(in_progress),
        to_do_statuses=frozenset(to_do),
        subtask_types=frozenset(subtask),
        epic_types=frozenset(epic),
        link_types=link_types,
        languages=tuple(languages),
    )
