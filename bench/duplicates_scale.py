"""Time `candidate_pairs` on 50,000 synthetic backlog items and report peak memory.

Usage: python bench/duplicates_scale.py [--items N] [--seed S] [--threshold T]

Items are drawn from a few thousand words (a product vocabulary plus made-up component and
customer names) with Zipf frequencies and per-topic word choice; a third of the descriptions
follow a "Steps to reproduce / Expected / Actual" template, a tenth are missing. About 2% of
items are planted near-duplicates: a copy of an earlier item with a sixth of its words replaced.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from backlog_health.similarity import DEFAULT_THRESHOLD, candidate_pairs

PRODUCT_WORDS = [
    "login", "logout", "password", "account", "user", "admin", "role", "permission", "dashboard",
    "report", "export", "import", "csv", "pdf", "email", "notification", "reminder", "calendar",
    "invoice", "payment", "checkout", "cart", "order", "refund", "customer", "profile", "avatar",
    "settings", "search", "filter", "sort", "pagination", "table", "column", "row", "chart", "graph",
    "widget", "sidebar", "menu", "button", "dialog", "modal", "tooltip", "page", "form", "field",
    "validation", "error", "warning", "message", "banner", "toast", "upload", "download", "file",
    "attachment", "image", "video", "audio", "api", "endpoint", "request", "response", "timeout",
    "retry", "cache", "session", "token", "cookie", "header", "server", "client", "database", "query",
    "index", "migration", "schema", "backup", "restore", "sync", "queue", "worker", "job", "scheduler",
    "cron", "webhook", "integration", "slack", "github", "mobile", "android", "ios", "tablet",
    "browser", "chrome", "firefox", "safari", "desktop", "windows", "mac", "linux", "keyboard",
    "shortcut", "mouse", "scroll", "drag", "drop", "copy", "paste", "undo", "redo", "save", "cancel",
    "delete", "archive", "share", "invite", "team", "project", "workspace", "folder", "tag", "label",
    "comment", "mention", "reply", "thread", "chat", "status", "priority", "deadline", "estimate",
    "sprint", "backlog", "release", "version", "crash", "freeze", "slow", "memory", "leak",
    "performance", "latency", "spinner", "loading", "blank", "empty", "broken", "missing", "wrong",
    "duplicate", "layout", "alignment", "font", "color", "theme", "dark", "light", "contrast",
    "accessibility", "translation", "locale", "language", "timezone", "date", "time", "currency",
    "number", "format", "rounding", "total", "tax", "discount", "coupon", "subscription", "plan",
    "trial", "upgrade", "downgrade", "billing",
]
FUNCTION_WORDS = [
    "the", "a", "an", "to", "of", "in", "on", "for", "with", "when", "after", "before", "is", "are",
    "was", "be", "not", "it", "this", "that", "and", "or", "but", "should", "does", "do", "can",
    "cannot", "will", "would", "shows", "show", "displays", "instead", "from", "by", "at", "as", "if",
    "then", "than",
]
SYLLABLES = [c + v for c in "bcdfghklmnprstvwz" for v in "aeiou"] + ["ing", "er", "ion", "al", "ent"]


@dataclass(frozen=True)
class SyntheticBacklog:
    """Keys, texts and the planted near-duplicate pairs (as positions, earlier item first)."""

    keys: list[str]
    summaries: list[str]
    descriptions: list[str | None]
    planted: list[tuple[int, int]]


def synthetic_backlog(
    count: int, seed: int = 7, vocabulary: int = 4000, topics: int = 800
) -> SyntheticBacklog:
    """`count` items, deterministic for a seed."""
    rng = np.random.default_rng(seed)
    made_up: set[str] = set()
    while len(made_up) < vocabulary - len(PRODUCT_WORDS):
        made_up.add("".join(rng.choice(SYLLABLES, size=int(rng.integers(2, 4)))))
    words = np.array(PRODUCT_WORDS + sorted(made_up - set(PRODUCT_WORDS)))
    zipf = 1.0 / np.arange(1, len(words) + 1) ** 1.05
    zipf /= zipf.sum()
    function_words = np.array(FUNCTION_WORDS)
    topic_words = rng.choice(len(words), size=(topics, 15), p=zipf)

    def phrase(topic: np.ndarray, length: int) -> str:
        kind = rng.random(length)
        drawn = np.where(
            kind < 0.35,
            function_words[rng.integers(len(function_words), size=length)],
            np.where(
                kind < 0.75,
                words[topic[rng.integers(len(topic), size=length)]],
                words[rng.choice(len(words), size=length, p=zipf)],
            ),
        )
        return " ".join(drawn.tolist())

    summaries: list[str] = []
    descriptions: list[str | None] = []
    planted: list[tuple[int, int]] = []
    for i in range(count):
        if i > 100 and rng.random() < 0.02:
            original = int(rng.integers(0, i))
            summaries.append(_reworded(summaries[original], rng, words, zipf))
            description = descriptions[original]
            descriptions.append(None if description is None else _reworded(description, rng, words, zipf))
            planted.append((original, i))
            continue
        topic = topic_words[int(rng.integers(topics))]
        summaries.append(phrase(topic, int(rng.integers(4, 11))).capitalize())
        style = rng.random()
        if style < 0.1:
            descriptions.append(None)
        elif style < 0.4:
            descriptions.append(
                f"Steps to reproduce:\n1. {phrase(topic, 8)}\n2. {phrase(topic, 8)}\n"
                f"Expected result:\n{phrase(topic, 12)}\nActual result:\n{phrase(topic, 12)}"
            )
        else:
            lines = [phrase(topic, int(rng.integers(8, 40))) for _ in range(int(rng.integers(1, 5)))]
            descriptions.append("\n".join(lines))
    keys = [f"SYN-{i + 1}" for i in range(count)]
    return SyntheticBacklog(keys, summaries, descriptions, planted)


def _reworded(text: str, rng: np.random.Generator, words: np.ndarray, zipf: np.ndarray) -> str:
    """The text with about a sixth of its words replaced, line breaks kept."""
    lines = [line.split(" ") for line in text.split("\n")]
    flat = [(li, wi) for li, line in enumerate(lines) for wi in range(len(line))]
    for pick in rng.integers(len(flat), size=len(flat) // 6 + 1):
        li, wi = flat[int(pick)]
        lines[li][wi] = str(words[rng.choice(len(words), p=zipf)])
    return "\n".join(" ".join(line) for line in lines)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    backlog = synthetic_backlog(args.items, args.seed)
    generated = time.perf_counter() - started
    before = peak_rss_mb()

    started, cpu_started = time.perf_counter(), time.process_time()
    pairs = candidate_pairs(backlog.keys, backlog.summaries, backlog.descriptions, args.threshold)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    after = peak_rss_mb()

    found = set(zip(pairs["key_a"], pairs["key_b"]))
    planted_found = sum(
        tuple(sorted((backlog.keys[a], backlog.keys[b]))) in found for a, b in backlog.planted
    )
    print(f"{args.items} synthetic items (seed {args.seed}), generated in {generated:.1f}s")
    print(f"candidate_pairs(threshold={args.threshold}): {len(pairs)} pairs")
    print(
        f"time: {elapsed:.1f}s wall, {cpu:.1f}s CPU on {os.cpu_count()} cores "
        f"(load average {os.getloadavg()[0]:.1f}: other processes slow the wall time)"
    )
    print(f"planted near-duplicates found: {planted_found} of {len(backlog.planted)}")
    print(f"peak RSS: {after:.0f} MB ({before:.0f} MB before the call: interpreter, libraries, data)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
