"""What an item's text says, computed once when a snapshot is written and stored with the
item (`description_words`, `acceptance_found`), so that the figures' SQL reads it on any
engine: the description's word count, and acceptance criteria in any language of the table
`acceptance_criteria.toml` (one entry per language), ignoring case and accents."""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

_TABLE = "acceptance_criteria.toml"
_MARKS = re.compile(r"[\u0300-\u036f]")  # combining accents left apart by NFKD
# Letters NFKD does not split into a base letter and an accent, and typographic apostrophes.
_FOLD = str.maketrans({"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ß": "ss", "’": "'", "ʼ": "'"})


@dataclass(frozen=True)
class Language:
    """How one language writes acceptance criteria (already normalised)."""

    code: str
    phrases: tuple[str, ...]
    prefixes: tuple[str, ...]
    given: tuple[str, ...]
    when: tuple[str, ...]
    then: tuple[str, ...]


def normalize(text: str) -> str:
    """Case- and accent-insensitive form: "Critères d’Acceptation" -> "criteres d'acceptation"."""
    if text.isascii():  # most descriptions: nothing to decompose
        return text.lower()
    return _MARKS.sub("", unicodedata.normalize("NFKD", text.casefold())).translate(_FOLD)


@lru_cache(maxsize=1)
def languages() -> tuple[Language, ...]:
    """The table's languages, in file order."""
    table = tomllib.loads(resources.files(__package__).joinpath(_TABLE).read_text("utf-8"))
    return tuple(
        Language(
            code,
            *(tuple(normalize(word) for word in entry.get(part, ())) for part in
              ("phrases", "prefixes", "given", "when", "then")),
        )
        for code, entry in table.items()
    )


def _either(words: tuple[str, ...]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


@dataclass(frozen=True)
class _Matcher:
    """The table compiled. Plain substring tests come first: one big regex tried at every
    position of every description was four times slower than the English-only check."""

    phrases: tuple[str, ...]
    prefixes: tuple[str, ...]
    prefix_line: re.Pattern[str] | None
    scenarios: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], re.Pattern[str]], ...]


@lru_cache(maxsize=1)
def _matcher() -> _Matcher:
    table = languages()
    prefixes = tuple(dict.fromkeys(p for lang in table for p in lang.prefixes))
    return _Matcher(
        phrases=tuple(dict.fromkeys(p for lang in table for p in lang.phrases)),
        prefixes=prefixes,
        prefix_line=re.compile(r"^[ \t]*" + _either(prefixes), re.MULTILINE) if prefixes else None,
        scenarios=tuple(
            (lang.given, lang.when, lang.then, re.compile(
                rf"\b{_either(lang.given)}\b.+?\b{_either(lang.when)}\b.+?\b{_either(lang.then)}\b", re.DOTALL
            ))
            for lang in table
            if lang.given and lang.when and lang.then
        ),
    )


@lru_cache(maxsize=200_000)  # a backlog's history repeats the same texts snapshot after snapshot
def has_acceptance_criteria(text: str) -> bool:
    """A phrase for "acceptance criteria", a line starting with a prefix such as "AC:", or
    scenario keywords (Given ... When ... Then) in one of the table's languages."""
    plain = normalize(text)
    m = _matcher()
    if any(phrase in plain for phrase in m.phrases):
        return True
    if m.prefix_line is not None and any(p in plain for p in m.prefixes) and m.prefix_line.search(plain):
        return True
    return any(
        any(w in plain for w in given) and any(w in plain for w in when) and any(w in plain for w in then)
        and pattern.search(plain) is not None
        for given, when, then, pattern in m.scenarios
    )


@lru_cache(maxsize=1024)
def is_acceptance_field(name: str) -> bool:
    """A custom field named like acceptance criteria in one of the table's languages."""
    return normalize(name).strip() in {p for lang in languages() for p in lang.phrases}


# How this release computes the facts: a change to the acceptance table or to the code below
# (bump _CODE) makes every store recompute its stored facts on its next writable open.
_CODE = "1"


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A digest of the acceptance table and of the facts' code version."""
    table = resources.files(__package__).joinpath(_TABLE).read_bytes()
    return hashlib.sha256(_CODE.encode() + b"\0" + table).hexdigest()[:16]


# The stored text facts: columns of `item_versions` (and of the `items` view) after the model's,
# since schema version 8 (migration 008_text_facts.sql).
STORED_SINCE = 8
TEXT_FACTS_COLUMNS = ("description_words", "acceptance_found")  # types: text_facts_columns.TEXT_FACTS_SCHEMA


@lru_cache(maxsize=200_000)  # a backlog's history repeats the same texts snapshot after snapshot
def word_count(text: str) -> int:
    """Words = whitespace-separated tokens of the plain-text description."""
    return len(text.split())


def acceptance_found(text: str | None, custom_fields: Any) -> bool:
    """Acceptance criteria in the description, or a custom field named like acceptance
    criteria in one of the table's languages that is filled in. (The rules' own
    `acceptance_criteria_fields` are looked up by the figures' SQL.)"""
    if isinstance(text, str) and has_acceptance_criteria(text):
        return True
    pairs = custom_fields.items() if isinstance(custom_fields, dict) else custom_fields or ()
    return any(str(value or "").strip() and is_acceptance_field(str(name)) for name, value in pairs)


def text_facts_of(text: str | None, custom_fields: Any) -> dict[str, Any]:
    """One item's text facts (a DuckDB function while a migration fills stored versions)."""
    plain = text if isinstance(text, str) else ""
    return {"description_words": word_count(plain), "acceptance_found": acceptance_found(plain, custom_fields)}
