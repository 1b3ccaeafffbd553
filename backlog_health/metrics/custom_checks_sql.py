"""The rules' own readiness checks written into figures.sql's `custom_checks` step, with
sqlglot: field names become quoted identifiers and labels string literals, never pasted text."""

from __future__ import annotations

from functools import lru_cache

import pyarrow as pa
import sqlglot
from sqlglot import exp

from backlog_health.model import ITEM_SCHEMA
from backlog_health.rules import CustomCheck


@lru_cache(maxsize=1)
def _definition(text: str) -> exp.Expression:
    return sqlglot.parse_one(text, read="duckdb")


def with_custom_checks(
    text: str, custom_checks: tuple[CustomCheck, ...], step: str, tail: str | None = None
) -> str:
    """figures.sql (`text`) with a boolean column per check and `custom_ready` (every one
    passes) in `custom_checks`, reading `step`, or ending with the statement `tail` instead."""
    tree = _definition(text).copy()
    rows = next(cte for cte in tree.find_all(exp.CTE) if cte.alias == "snapshot_rows").this
    read = {column.alias_or_name for column in rows.expressions}
    for field in dict.fromkeys(c.field for c in custom_checks if c.field in ITEM_SCHEMA.names):
        if field not in read:  # a text the figures do not read otherwise
            rows.set("expressions", [*rows.expressions, exp.column(field, table="i", quoted=True)])
    custom = next(cte for cte in tree.find_all(exp.CTE) if cte.alias == "custom_checks")
    select = custom.this
    passed = [exp.paren(_custom_expression(check)) for check in custom_checks]
    ready: exp.Expression = exp.true()
    for condition in passed:
        ready = exp.and_(ready, condition)
    select.set("expressions", [
        exp.alias_(exp.column("snapshot_id"), "custom_snapshot_id"),
        exp.alias_(exp.column("key"), "custom_key"),
        *[exp.alias_(condition.copy(), check.name, quoted=True) for condition, check in zip(passed, custom_checks)],
        exp.alias_(ready, "custom_ready"),
    ])
    if tail is not None or step != "final":
        chosen = exp.select("*").from_(step) if tail is None else sqlglot.parse_one(tail, read="duckdb")
        for cte in tree.ctes:
            chosen = chosen.with_(cte.alias, as_=cte.this)
        tree = chosen
    return tree.sql(dialect="duckdb")


def _custom_expression(check: CustomCheck) -> exp.Expression:
    """SQL for one of the rules' own checks on a backlog item (`backlog` step)."""
    if check.label is not None:
        return exp.func("list_contains", exp.column("labels"), exp.Literal.string(check.label))
    field = str(check.field)
    if field in ITEM_SCHEMA.names:
        column = exp.column(field, quoted=True)
        kind = ITEM_SCHEMA.field(field).type
        if pa.types.is_list(kind):
            return exp.GT(this=exp.func("coalesce", exp.func("array_length", column), exp.Literal.number(0)),
                          expression=exp.Literal.number(0))
        if pa.types.is_string(kind):
            return _non_blank(column)
        return exp.Not(this=exp.Is(this=column, expression=exp.Null()))
    return _non_blank(exp.Bracket(this=exp.column("custom_fields"), expressions=[exp.Literal.string(field)]))


def _non_blank(value: exp.Expression) -> exp.Expression:
    trimmed = exp.func("trim", exp.func("coalesce", value, exp.Literal.string("")))
    return exp.NEQ(this=trimmed, expression=exp.Literal.string(""))
