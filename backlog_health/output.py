"""Frames as JSON- and CSV-ready records for the CLI and downloads."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def plain(value: Any) -> Any:
    """A JSON-serializable version of one cell: lists for arrays, ISO text for times,
    None for missing values."""
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of `frame` as plain dicts."""
    columns = list(frame.columns)
    return [
        {column: plain(value) for column, value in zip(columns, row)}
        for row in frame.itertuples(index=False, name=None)
    ]


def neutralize_formula(text: str) -> str:
    """Prefix a quote to text a spreadsheet would evaluate as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy safe to open in a spreadsheet: lists joined by "; ", maps as k=v,
    text cells that would run as formulas neutralized."""

    def cell(value: Any) -> Any:
        value = plain(value)
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = "; ".join(f"{k}={v}" for k, v in value.items())
        if isinstance(value, str):
            return neutralize_formula(value)
        return value

    return frame.apply(lambda column: column.map(cell)) if not frame.empty else frame.copy()
