"""What a process remembers from one duplicate scan of a backlog to the next.

A scan reads a text model (fitted on one snapshot's texts, see `duplicate_scan`) and the
vectors of every backlog item. Fitting the model again and turning 2,000 texts into vectors
again cost more than all the rest of a scan, and a process that ingests a backlog's history
(several exports in one `ingest`, a backfill, `bench.org_scale`) did both for every snapshot.
Here the process keeps, for its last `MODELS` models, the model and the vectors of the texts
it last turned: a model is known by the texts it was fitted on (the same texts give the same
model), a vector by its text and model (the same text gives the same vector), so every answer
is the one a fresh fit gives. Bounded: `MODELS` entries, each holding one set of items'
vectors, and nothing for more than `MAX_ITEMS` texts.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from backlog_health.similarity import TextModel, Vectorizer, fitted_text_model, item_vectors

MODELS = 2
MAX_ITEMS = 20_000

_Text = tuple[str, str]


@dataclass
class _Entry:
    model: TextModel
    rows: dict[_Text, int]  # text -> its row of `vectors`
    vectors: sp.csr_matrix


_entries: OrderedDict[str, _Entry] = OrderedDict()


def text_model(summaries: Sequence[str | None], descriptions: Sequence[str | None]) -> tuple[TextModel, Vectorizer]:
    """The model fitted on these texts, and a `similarity.Vectorizer` for it that turns only
    the texts it has not seen yet (fitting gives it these texts' vectors)."""
    texts = _texts(summaries, descriptions)
    key = _fingerprint(texts)
    entry = _entries.get(key)
    if entry is None:
        model, vectors = fitted_text_model(summaries, descriptions)
        entry = _Entry(model, {text: row for row, text in enumerate(texts)}, vectors)
        if len(texts) <= MAX_ITEMS:
            _entries[key] = entry
            while len(_entries) > MODELS:
                _entries.popitem(last=False)
    else:
        _entries.move_to_end(key)
    return entry.model, lambda s, d: _vectors(entry, s, d, remember=len(s) <= MAX_ITEMS)


def forget() -> None:
    """Drop everything remembered (tests; a long-lived process done with its backlogs)."""
    _entries.clear()


def _vectors(entry: _Entry, summaries: Sequence[str | None], descriptions: Sequence[str | None], *,
             remember: bool) -> sp.csr_matrix:
    """`item_vectors(summaries, descriptions, entry.model)`, the rows of known texts copied."""
    texts = _texts(summaries, descriptions)
    new = list(dict.fromkeys(text for text in texts if text not in entry.rows))
    known, stacked = entry.vectors.shape[0], entry.vectors
    if new:
        fresh = item_vectors([s for s, _ in new], [d for _, d in new], entry.model)
        stacked = sp.vstack([stacked, fresh], format="csr")
    where = {**entry.rows, **{text: known + i for i, text in enumerate(new)}}
    vectors = stacked[np.fromiter((where[text] for text in texts), dtype=np.intp, count=len(texts))]
    vectors.sort_indices()
    if remember:
        entry.rows, entry.vectors = {text: row for row, text in enumerate(texts)}, vectors
    return vectors


def _texts(summaries: Sequence[str | None], descriptions: Sequence[str | None]) -> list[_Text]:
    """Each item's (summary, description), a missing text as "" (as the model reads it)."""
    return [(s if isinstance(s, str) else "", d if isinstance(d, str) else "") for s, d in zip(summaries, descriptions)]


def _fingerprint(texts: list[_Text]) -> str:
    """The model's identity: the texts it is fitted on, in any order."""
    digest = hashlib.blake2b(digest_size=16)
    for summary, description in sorted(texts):
        for text in (summary, description):
            data = text.encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "little"))
            digest.update(data)
    return digest.hexdigest()
