"""Acceptance criteria recognised in several languages, through one table, ignoring case and accents."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backlog_health import api
from backlog_health.text_facts import (
    has_acceptance_criteria,
    is_acceptance_field,
    languages,
    normalize,
)
from backlog_health.text_facts_columns import text_facts, text_facts_columns
from backlog_health.metrics.readiness import readiness_checks
from backlog_health.model import LINK_COLUMNS
from backlog_health.rules import Rules
from tests.builders import items

JIRA_CSV = Path(__file__).parents[1] / "fixtures" / "jira-csv"


WITH_CRITERIA = [
        "Acceptance Criteria:\n- totals add up",
        "Criterios de aceptación:\n- el total cuadra",
        "CRITERIOS DE ACEPTACION: el total cuadra",  # no accent, upper case
        "Critères d'acceptation : le total est juste",
        "Critères d’acceptation : apostrophe typographique",
        "Akzeptanzkriterien:\n- Summe stimmt",
        "Critérios de aceitação: o total confere",
        "Criteri di accettazione: il totale torna",
        "Acceptatiecriteria: het totaal klopt",
        "Tiêu chí chấp nhận: tổng đúng",
        "AC: totals add up",
        "  CA: el total cuadra",
        "Given a cart\nWhen I pay\nThen I get a receipt",
        "Dado que tengo un carrito\ncuando pago\nentonces recibo un recibo",
        "Étant donné un panier, lorsqu'il paie, alors il reçoit un reçu",
        "Angenommen ein Warenkorb, wenn ich zahle, dann bekomme ich eine Quittung",
        "Dado um carrinho, quando pago, então recebo um recibo",
        "Dato un carrello, quando pago, allora ricevo una ricevuta",
]
WITHOUT_CRITERIA = [
        "Improve the checkout page so that totals are right.",
        "Mejorar la página de pago para que el total sea correcto.",
        "Then when given",  # keywords out of order
        "The ACME criteria",  # "AC" not at a line start with a colon
        "Quand on paie, le total est juste.",  # no given / then
]


@pytest.mark.parametrize("text", WITH_CRITERIA)
def test_acceptance_criteria_in_each_language(text):
    assert has_acceptance_criteria(text)


@pytest.mark.parametrize("text", WITHOUT_CRITERIA)
def test_text_without_acceptance_criteria(text):
    assert not has_acceptance_criteria(text)


def test_the_table_has_the_six_required_languages_and_normalises_its_entries():
    codes = {lang.code for lang in languages()}
    assert {"en", "es", "fr", "de", "pt", "it"} <= codes
    assert normalize("Critères d’Acceptation") == "criteres d'acceptation"
    assert all(p == normalize(p) for lang in languages() for p in lang.phrases)


def test_a_custom_field_named_in_another_language_counts_when_filled():
    assert is_acceptance_field("Critères d'acceptation") and is_acceptance_field("AKZEPTANZKRITERIEN")
    assert not is_acceptance_field("Description")
    rows = items([
        {"key": "A", "custom_fields": {"Critérios de Aceitação": "o total confere"}},
        {"key": "B", "custom_fields": {"Critérios de Aceitação": "  "}},
        {"key": "C", "custom_fields": {"Notes": "o total confere"}},
    ])
    checks = readiness_checks(rows, pd.DataFrame(columns=list(LINK_COLUMNS)), Rules())
    assert list(checks["acceptance_criteria"]) == [True, False, False]


def test_a_real_spanish_export_gets_credit_for_its_criterios():
    snapshot = api.read_jira_csv(JIRA_CSV / "cloud-es.csv").snapshot
    checks = readiness_checks(snapshot.items, snapshot.links, Rules())
    texts = snapshot.items.set_index("key").loc[checks.index, "description_text"].fillna("")
    spanish = texts.str.contains("criterios de aceptaci", case=False) | texts.str.contains(r"\bdado\b", case=False)
    english_only = texts.str.contains("acceptance criteria", case=False)
    assert (spanish & ~english_only).any()  # the export really writes them in Spanish
    assert checks.loc[spanish[spanish].index, "acceptance_criteria"].all()



_FIELDS = pa.map_(pa.string(), pa.string())


def _facts_both_ways(texts: list[str | None], fields: list[list[tuple[str, str | None]] | None]):
    one_by_one = text_facts(texts, fields)
    columns = text_facts_columns(pa.array(texts, pa.string()), pa.array(fields, _FIELDS))
    return one_by_one.to_pylist(), columns.to_pylist()


def test_the_facts_of_a_column_are_the_facts_of_each_item():
    texts = [*WITH_CRITERIA, *WITHOUT_CRITERIA, None, "", "  two\x1cwords  ", "a\u00a0b c", "given_x when y then"]
    fields = [None] * len(texts)
    fields[-1] = [("Akzeptanzkriterien", " ok "), ("Notes", "x")]
    fields[-2] = [("Acceptance criteria", "   ")]
    one_by_one, columns = _facts_both_ways(texts, fields)
    assert columns == one_by_one
    assert sum(f["acceptance_found"] for f in columns) == len(WITH_CRITERIA) + 1


_KEYWORDS = ["given", "when", "then", "AC:", "ca:", "acceptance criteria", "dado", "cuando", "entonces",
             "étant donné", "lorsqu", "alors", "Given", "WHEN", "_", "x", " ", "\n", "\t", "\x1c", "\u00a0", "é"]


@pytest.mark.property
@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_KEYWORDS), max_size=12).map("".join), min_size=1, max_size=5))
def test_the_facts_of_a_column_are_the_facts_of_each_item_for_any_text(texts):
    one_by_one, columns = _facts_both_ways(texts, [None] * len(texts))
    assert columns == one_by_one
