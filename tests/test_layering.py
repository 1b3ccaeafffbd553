"""Arrows point down: the domain never imports ingest or dashboard; nothing imports dashboard."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import REPO


def imported_modules(path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def top_level(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


DOMAIN = sorted(p for p in (REPO / "backlog_health").rglob("*.py") if p.name != "cli.py")


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: str(p.relative_to(REPO / "backlog_health")))
def test_domain_modules_import_neither_ingest_nor_dashboard(path):
    assert not top_level(imported_modules(path)) & {"ingest", "dashboard", "streamlit", "jira"}


@pytest.mark.parametrize("path", sorted((REPO / "ingest").glob("*.py")), ids=lambda p: p.name)
def test_ingest_never_imports_dashboard_or_streamlit(path):
    assert not top_level(imported_modules(path)) & {"dashboard", "streamlit"}


def test_only_ingest_imports_the_jira_package():
    for path in REPO.glob("**/*.py"):
        if ".venv" in path.parts or path.is_relative_to(REPO / "ingest"):
            continue
        assert "jira" not in top_level(imported_modules(path)), path
