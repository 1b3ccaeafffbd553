"""The text facts (`text_facts`) of whole columns, as Arrow tables: what a snapshot write
stores. Kept apart so that opening a store (which checks the facts' fingerprint) imports
neither numpy nor pyarrow."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from backlog_health.arrow_text import strip, word_counts
from backlog_health.text_facts import (
    acceptance_found,
    has_acceptance_criteria,
    is_acceptance_field,
    languages,
    word_count,
)

TEXT_FACTS_SCHEMA = pa.schema([("description_words", pa.int32()), ("acceptance_found", pa.bool_())])


def text_facts(descriptions: list[Any], custom_fields: list[Any]) -> pa.Table:
    """The text facts of each item, as a table with TEXT_FACTS_SCHEMA."""
    texts = [t if isinstance(t, str) else "" for t in descriptions]
    return pa.table(
        {
            "description_words": pa.array([word_count(t) for t in texts], pa.int32()),
            "acceptance_found": pa.array(
                [acceptance_found(t, f) for t, f in zip(texts, custom_fields)], pa.bool_()
            ),
        },
        schema=TEXT_FACTS_SCHEMA,
    )


def with_text_facts(items: pa.Table) -> pa.Table:
    """`items` (the model's columns) with the text facts appended."""
    facts = text_facts_columns(items.column("description_text"), items.column("custom_fields"))
    for name in TEXT_FACTS_SCHEMA.names:
        items = items.append_column(TEXT_FACTS_SCHEMA.field(name), facts.column(name))
    return items


def text_facts_columns(descriptions: pa.Array | pa.ChunkedArray, custom_fields: pa.Array | pa.ChunkedArray) -> pa.Table:
    """`text_facts` a column at a time, with the same answers: a description of ASCII text
    is searched by one RE2 expression (for ASCII, RE2's \\b and case folding are Python's);
    any other goes through `has_acceptance_criteria`."""
    texts = _one_chunk(descriptions).cast(pa.string())
    words = word_counts(texts)
    found = np.logical_or(_described(texts), _named_fields(_one_chunk(custom_fields)))
    return pa.table({"description_words": words, "acceptance_found": pa.array(found)}, schema=TEXT_FACTS_SCHEMA)


def _one_chunk(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        return pa.concat_arrays(column.chunks) if column.num_chunks else pa.array([], column.type)
    return column


def _described(texts: pa.Array) -> np.ndarray:
    """Per text: `has_acceptance_criteria` (False for a missing text)."""
    found = np.zeros(len(texts), dtype=bool)
    ascii_ = pc.fill_null(pc.string_is_ascii(texts), False).to_numpy(zero_copy_only=False)
    others = np.flatnonzero(pc.and_(pc.is_valid(texts), pc.invert(pc.string_is_ascii(texts)))
                            .fill_null(False).to_numpy(zero_copy_only=False))
    if ascii_.any():
        plain = pc.utf8_lower(texts)  # str.lower() of an ASCII text
        found |= pc.fill_null(pc.match_substring_regex(plain, _ascii_search()), False).to_numpy(zero_copy_only=False)
    if len(others):
        found[others] = [has_acceptance_criteria(text) for text in texts.take(pa.array(others)).to_pylist()]
    return found


@lru_cache(maxsize=1)
def _ascii_search() -> str:
    """`has_acceptance_criteria`'s three tests as one RE2 expression, for ASCII texts (the
    table's entries that are not ASCII cannot match one)."""
    table = languages()

    def either(words: tuple[str, ...]) -> str:
        return "(?:" + "|".join(_re2_literal(w) for w in words if w.isascii()) + ")"

    tests = [_re2_literal(p) for lang in table for p in lang.phrases if p.isascii()]
    prefixes = [p for lang in table for p in lang.prefixes if p.isascii()]
    if prefixes:
        tests.append(rf"(?m:^[ \t]*{either(tuple(prefixes))})")
    tests += [
        rf"(?s:\b{either(lang.given)}\b.+?\b{either(lang.when)}\b.+?\b{either(lang.then)}\b)"
        for lang in table
        if any(w.isascii() for w in lang.given) and any(w.isascii() for w in lang.when)
        and any(w.isascii() for w in lang.then)
    ]
    return "|".join(tests) or "(?!)"


def _re2_literal(text: str) -> str:
    """`text` matched literally by RE2 (which accepts an escaped punctuation character, not an
    escaped letter or digit)."""
    return "".join(c if c.isalnum() or c == " " else "\\" + c for c in text)


def _named_fields(custom_fields: pa.Array) -> np.ndarray:
    """Per item: a filled-in custom field named like acceptance criteria."""
    found = np.zeros(len(custom_fields), dtype=bool)
    if len(custom_fields) == 0:
        return found
    # The maps as lists of (key, value) entries (a null map has none).
    lists = pa.ListArray.from_arrays(custom_fields.offsets, custom_fields.values)
    entries = lists.flatten()
    if len(entries) == 0:
        return found
    names = entries.field("key")
    distinct = pc.unique(names)
    named = pa.array([is_acceptance_field(str(name)) for name in distinct.to_pylist()], pa.bool_())
    filled = pc.greater(pc.utf8_length(strip(pc.fill_null(entries.field("value"), ""))), 0)
    hits = pc.and_(named.take(pc.index_in(names, distinct)), filled)
    rows = pc.array_filter(pc.list_parent_indices(lists), hits).to_numpy(zero_copy_only=False)
    found[rows] = True
    return found
