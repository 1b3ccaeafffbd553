"""Descriptions as plain text: Jira wiki markup (CSV exports, API v2) stripped of markup.

Why not jira2markdown + a Markdown parser: measured on this project's 2-core machine,
jira2markdown took 0.07 s for a 44-character description and 4 s for a 10 kB one
(50 s for the 183 descriptions of one real export), far too slow for backlogs of tens of
thousands of items. Plain text for word counts and similarity needs far less than a full
translation, so a handful of regular expressions does it here, tested on real exports.
"""

from __future__ import annotations

import functools
import re

_SUBSTITUTIONS: list[tuple[re.Pattern[str], str]] = [
    # {code:java}...{code}, {noformat}, {quote}, {panel:title=x}, {color:red}... keep content
    (re.compile(r"\{(?:code|noformat|quote|panel|color|section|column|expand)(?::[^}]*)?\}"), "\n"),
    (re.compile(r"\{anchor(?::[^}]*)?\}|\{toc(?::[^}]*)?\}"), ""),
    (re.compile(r"\{\{(.+?)\}\}", re.DOTALL), r"\1"),  # {{monospace}}
    (re.compile(r"!(?:[^!\s|][^!\n|]*)(?:\|[^!\n]*)?!"), ""),  # !image.png|thumbnail!
    (re.compile(r"\[~(?:accountid:)?([^\]]+)\]"), r"@\1"),  # [~user] mentions
    (re.compile(r"\[([^\]|\n]+)\|[^\]\n]+\]"), r"\1"),  # [label|url] -> label
    (re.compile(r"\[((?:https?|mailto|file):[^\]\n]+)\]"), r"\1"),  # [http://x] -> url
    (re.compile(r"^\s*h[1-6]\.\s*", re.MULTILINE), ""),  # headings
    (re.compile(r"^\s*bq\.\s*", re.MULTILINE), ""),  # block quotes
    (re.compile(r"^\s*-{4,}\s*$", re.MULTILINE), ""),  # horizontal rules
    (re.compile(r"^\s*[*#-]+\s+", re.MULTILINE), ""),  # list bullets
    (re.compile(r"\|\|?"), " "),  # table cell separators
    (re.compile(r"\\\\"), "\n"),  # forced line break
    # Emphasis: the marker is matched first and the character before it checked after,
    # which lets the regex engine jump to the next marker instead of testing every position.
    (re.compile(r"\*(?<![\w*]\*)(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),  # *bold*
    (re.compile(r"_(?<![\w_]_)(?=\S)(.+?)(?<=\S)_(?![\w_])"), r"\1"),  # _italic_
    (re.compile(r"\+(?<![\w+]\+)(?=\S)(.+?)(?<=\S)\+(?![\w+])"), r"\1"),  # +underline+
    (re.compile(r"-(?<![\w-]-)(?=\S)(.+?)(?<=\S)-(?![\w-])"), r"\1"),  # -strikethrough-
    (re.compile(r"\^(?<![\w^]\^)(?=\S)(.+?)(?<=\S)\^(?![\w^])"), r"\1"),  # ^superscript^
    (re.compile(r"~(?<![\w~]~)(?=\S)(.+?)(?<=\S)~(?![\w~])"), r"\1"),  # ~subscript~
    (re.compile(r"\?\?(.+?)\?\?"), r"\1"),  # ??citation??
    (re.compile(r"\\([*_+\-^~{}\[\]|!#])"), r"\1"),  # escaped markup characters
    (re.compile(r"[ \t]{2,}|\t"), " "),
    (re.compile(r" *\n *"), "\n"),
    (re.compile(r"\n{2,}"), "\n"),
]


def wiki_to_text(wiki: str | None) -> str | None:
    """The readable text of a Jira wiki-markup description: markup characters,
    macros, images and link targets removed, link labels and code kept."""
    if wiki is None:
        return None
    return _plain_text(wiki) if len(wiki) <= _CACHED_LENGTH else _convert(wiki)


# Successive exports of a backlog repeat most descriptions unchanged: reading a folder of
# a backlog's exports converts each distinct short text once (long ones are not kept).
_CACHED_LENGTH = 4_096


@functools.lru_cache(maxsize=16_384)
def _plain_text(wiki: str) -> str:
    return _convert(wiki)


# Text every match of the pattern at the same index contains (one of the strings; None:
# always run). Testing `in` is a memchr, far cheaper than letting the regex engine scan a
# text that cannot match: most descriptions use two or three kinds of markup, not twenty.
# For ` *\n *` a bare line end is replaced by itself, so only a space beside one matters.
_NEEDS: tuple[tuple[str, ...] | None, ...] = (
    ("{",), ("{",), ("{{",), ("!",), ("[~",), ("[",), ("[",), ("h1.", "h2.", "h3.", "h4.", "h5.", "h6."),
    ("bq.",), ("----",), ("*", "#", "-"), ("|",), ("\\\\",),
    ("*",), ("_",), ("+",), ("-",), ("^",), ("~",), ("??",), ("\\",), ("  ", "\t"), (" \n", "\n "), ("\n\n",),
)
assert len(_NEEDS) == len(_SUBSTITUTIONS)


# (substitute, replacement, first need, other needs) per rule: the loop below runs for every
# rule of every description, so it does as little as it can.
_RULES = tuple(
    (pattern.sub, replacement, None if needs is None else needs[0], None if needs is None else needs[1:])
    for (pattern, replacement), needs in zip(_SUBSTITUTIONS, _NEEDS)
)


def _convert(wiki: str) -> str:
    text = wiki.replace("\r\n", "\n").replace("\r", "\n")
    for substitute, replacement, need, other_needs in _RULES:
        if need is None or need in text or (other_needs and any(map(text.__contains__, other_needs))):
            text = substitute(replacement, text)
    return text.strip()
