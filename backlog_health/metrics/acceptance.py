"""Acceptance criteria in a description, in any language of the table
`acceptance_criteria.toml` (one entry per language), ignoring case and accents."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

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
