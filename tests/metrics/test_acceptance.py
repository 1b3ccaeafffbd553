"""Acceptance criteria recognised in several languages, through one table, ignoring case and accents."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from backlog_health import api
from backlog_health.text_facts import has_acceptance_criteria, is_acceptance_field, languages, normalize
from backlog_health.metrics.readiness import readiness_checks
from backlog_health.model import LINK_COLUMNS
from backlog_health.rules import Rules
from tests.builders import items

JIRA_CSV = Path(__file__).parents[1] / "fixtures" / "jira-csv"


@pytest.mark.parametrize(
    "text",
    [
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
    ],
)
def test_acceptance_criteria_in_each_language(text):
    assert has_acceptance_criteria(text)


@pytest.mark.parametrize(
    "text",
    [
        "Improve the checkout page so that totals are right.",
        "Mejorar la página de pago para que el total sea correcto.",
        "Then when given",  # keywords out of order
        "The ACME criteria",  # "AC" not at a line start with a colon
        "Quand on paie, le total est juste.",  # no given / then
    ],
)
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

