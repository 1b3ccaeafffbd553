"""Atlassian Document Format (Jira Cloud API v3 rich text) as plain text.

ADF is a small ProseMirror-style JSON tree; plain text for word counts, acceptance
criteria and similarity needs only its text in reading order, with block nodes on lines
of their own. No maintained PyPI package does this (the ones listed convert to and from
Markdown or build documents), so it is a short tree walk here.
"""

from __future__ import annotations

import json
from typing import Any

# Nodes whose content starts on a new line (and ends one).
_BLOCKS = frozenset(
    {
        "doc", "paragraph", "heading", "blockquote", "bulletList", "orderedList", "listItem",
        "codeBlock", "panel", "rule", "table", "tableRow", "expand", "nestedExpand",
        "mediaSingle", "mediaGroup", "decisionList", "decisionItem", "taskList", "taskItem",
        "layoutSection", "layoutColumn", "blockCard", "embedCard",
    }
)
# Inline nodes that stand for text held in their attributes.
_ATTRIBUTE_TEXT = {
    "mention": ("text",),
    "emoji": ("text", "shortName"),
    "date": ("timestamp",),
    "status": ("text",),
    "inlineCard": ("url",),
}


def is_adf(value: object) -> bool:
    """Whether `value` (parsed JSON) is an ADF document."""
    return isinstance(value, dict) and value.get("type") == "doc" and isinstance(value.get("content"), list)


def adf_to_text(document: dict[str, Any]) -> str:
    """The document's text, each block node (paragraph, heading, list item...) on its own line."""
    parts: list[str] = []
    _walk(document, parts)
    lines = [" ".join(line.split()) for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line)


def adf_json(document: dict[str, Any]) -> str:
    """The document as compact JSON, the form kept as the raw description."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _walk(node: Any, parts: list[str]) -> None:
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "text":
        parts.append(str(node.get("text", "")))
        return
    if kind == "hardBreak":
        parts.append("\n")
        return
    if kind in _ATTRIBUTE_TEXT:
        attrs = node.get("attrs") or {}
        for name in _ATTRIBUTE_TEXT[kind]:
            if attrs.get(name):
                parts.append(str(attrs[name]))
                break
        return
    block = kind in _BLOCKS
    if block:
        parts.append("\n")
    for child in node.get("content") or []:
        _walk(child, parts)
    parts.append("\n" if block else " " if kind in ("tableCell", "tableHeader") else "")
