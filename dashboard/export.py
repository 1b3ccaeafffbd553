"""Downloads: a self-contained HTML report (charts work offline) and tables as CSV.

Every piece of user text in the report is HTML-escaped; CSV cells that a spreadsheet
would run as formulas are neutralized (`backlog_health.output.csv_ready`).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go

from backlog_health.output import csv_ready

_STYLE = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 2rem auto;
       max-width: 1100px; color: #212121; padding: 0 1rem; }
h1 { margin-bottom: 0.2rem; } .meta { color: #616161; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; width: 100%; }
th, td { border-bottom: 1px solid #e0e0e0; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f5f5f5; } .figures { display: grid; gap: 1rem; }
.summary { display: flex; flex-wrap: wrap; gap: 0.75rem; margin: 1rem 0; padding: 0; list-style: none; }
.summary li { border: 1px solid #e0e0e0; border-radius: 6px; padding: 0.5rem 0.9rem; }
.summary b { display: block; font-size: 1.4rem; } .empty { color: #757575; font-style: italic; }
"""


@dataclass(frozen=True)
class Section:
    """A heading, optional notes and headline figures, then charts and tables."""

    heading: str
    notes: Sequence[str] = ()
    figures: Sequence[tuple[str, str]] = ()  # (label, value)
    charts: Sequence[go.Figure] = ()
    tables: Sequence[tuple[str, pd.DataFrame]] = field(default_factory=tuple)  # (caption, frame)


def html_report(title: str, subtitle: str, sections: Sequence[Section], generated_at: datetime) -> str:
    """One HTML file with plotly.js inline once, so it opens anywhere without a network."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">{html.escape(subtitle)} · generated {generated_at:%Y-%m-%d %H:%M}</p>',
    ]
    plotly_included = False
    for section in sections:
        parts.append(f"<section><h2>{html.escape(section.heading)}</h2>")
        parts += [f"<p>{html.escape(note)}</p>" for note in section.notes]
        if section.figures:
            parts.append('<ul class="summary">')
            parts += [
                f"<li>{html.escape(label)}<b>{html.escape(value)}</b></li>" for label, value in section.figures
            ]
            parts.append("</ul>")
        if section.charts:
            parts.append('<div class="figures">')
            for figure in section.charts:
                parts.append(
                    figure.to_html(
                        full_html=False,
                        include_plotlyjs="inline" if not plotly_included else False,
                        config={"displaylogo": False, "responsive": True},
                    )
                )
                plotly_included = True
            parts.append("</div>")
        for caption, frame in section.tables:
            parts.append(f"<h3>{html.escape(caption)}</h3>")
            parts.append(_table(frame))
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return '<p class="empty">none</p>'
    # to_html escapes cell text and column names (escape=True is its default; stated for the reader).
    return frame.to_html(index=False, escape=True, na_rep="", border=0)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV (with a BOM so spreadsheets detect the encoding), formula-safe."""
    # CRLF line ends (RFC 4180) also make the writer quote a cell holding a lone CR, which a
    # spreadsheet would otherwise read as the end of the row.
    return csv_ready(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def csv_zip(tables: Sequence[tuple[str, pd.DataFrame]]) -> bytes:
    """Several tables as one ZIP of formula-safe CSV files named after their captions."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for caption, frame in tables:
            name = file_name(caption)
            while name in used:
                name += "_"
            used.add(name)
            archive.writestr(f"{name}.csv", csv_bytes(frame))
    return buffer.getvalue()


def file_name(text: str) -> str:
    """A safe file name stem from any text."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return stem or "table"
