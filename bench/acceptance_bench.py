"""The acceptance-criteria check on 50,000 distinct descriptions (cold cache): the cost of
recognising several languages, accents and case ignored (`python -m bench.acceptance_bench`)."""

from __future__ import annotations

import statistics
import time

import numpy as np

from backlog_health import text_facts as acceptance
from bench.synthetic import VOCABULARY

ENDINGS = ["", "\nAcceptance criteria:\n- works", "\nCriterios de aceptación: funciona",
           "\nGiven a cart when I pay then I get a receipt", "\nAkzeptanzkriterien: ok"]


def descriptions(count: int = 50_000, words: int = 60, seed: int = 5) -> list[str]:
    """Distinct descriptions of `words` words, four fifths of them with acceptance criteria
    (English, Spanish, Given/When/Then, German), one fifth without."""
    rng = np.random.default_rng(seed)
    body = rng.choice(VOCABULARY, size=(count, words))
    return [" ".join(row) + f" #{i}" + ENDINGS[i % len(ENDINGS)] for i, row in enumerate(body)]


def main() -> None:
    texts = descriptions()
    runs = []
    for _ in range(5):
        acceptance.has_acceptance_criteria.cache_clear()
        start = time.perf_counter()
        found = sum(acceptance.has_acceptance_criteria(t) for t in texts)
        runs.append(time.perf_counter() - start)
    print(f"{len(texts):,} descriptions, {found:,} with acceptance criteria: "
          f"median {statistics.median(runs):.3f} s, slowest {max(runs):.3f} s (cold cache, 5 runs)")


if __name__ == "__main__":
    main()
