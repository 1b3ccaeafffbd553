"""Arrows point one way: a contract over every module of the package, with no exemptions.

Layers, top first (a module may import its own component, and any layer below its own):

    cli, terminal                    the command line: the only place that imports every layer
    dashboard                        Streamlit pages over the library
    api                              the library's public functions
    ingest | metrics                 sources -> snapshots | pure reads of the store (independent)
    store, duplicate scan            the one place that knows DuckDB's schema
    rules
    model, backlog, errors, output   the canonical shapes

`ingest` never reaches the store: sources produce snapshots; the library writes them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO

# Where each folder of the repository installs (pyproject's package-dir).
FOLDERS = {"backlog_health": "backlog_health", "ingest": "backlog_health.ingest", "dashboard": "backlog_health.dashboard"}

LAYERS: tuple[tuple[tuple[str, ...], bool], ...] = (
    # (components, open: may the layer's components import each other)
    (("backlog_health.cli", "backlog_health.terminal", "backlog_health.spark_submit"), True),
    (("backlog_health.dashboard",), False),
    (("backlog_health.api",), False),
    (("backlog_health.ingest", "backlog_health.metrics"), False),
    (("backlog_health.store", "backlog_health.duplicate_scan", "backlog_health.similarity",
      "backlog_health.similarity_index", "backlog_health.scan_memo", "backlog_health.scan_identity",
      "backlog_health.spark_engine"), True),
    (("backlog_health.rules", "backlog_health.toml_file"), True),
    (("backlog_health.model", "backlog_health.backlog", "backlog_health.errors", "backlog_health.output",
      "backlog_health"), True),
)
STORE_LAYER = LAYERS[4][0]
NEVER = {("backlog_health.ingest", store) for store in STORE_LAYER}
# Third-party packages only one layer may import.
ONLY_IN = {
    "streamlit": ("backlog_health.dashboard",),
    "plotly": ("backlog_health.dashboard",),
    "jira": ("backlog_health.ingest",),
    "requests": ("backlog_health.ingest",),
    "typer": ("backlog_health.cli",),
    "rich": ("backlog_health.cli", "backlog_health.terminal"),
    "pyspark": ("backlog_health.spark_engine",),
    "py4j": ("backlog_health.spark_engine",),
}


def module_name(path: Path) -> str:
    relative = path.relative_to(REPO).with_suffix("")
    parts = list(relative.parts)
    parts[0] = FOLDERS[parts[0]]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {
    module_name(path): path
    for folder in FOLDERS
    for path in sorted((REPO / folder).rglob("*.py"))
    if ".venv" not in path.parts
}


def imports_of(name: str, path: Path) -> set[str]:
    """Every module `path` imports, anywhere in it (lazy and TYPE_CHECKING imports too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES}
    return found


def component(name: str) -> tuple[int, str]:
    """(layer index, component) of one of our modules: the longest matching prefix."""
    best = (-1, "")
    for index, (components, _) in enumerate(LAYERS):
        for prefix in components:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > len(best[1]):
                best = (index, prefix)
    assert best[0] >= 0, f"{name} belongs to no layer: add it to LAYERS"
    return best


def violations(name: str, path: Path) -> list[str]:
    layer, own = component(name)
    found = []
    for target in sorted(imports_of(name, path)):
        top = target.split(".")[0]
        if top != "backlog_health":
            allowed = ONLY_IN.get(top)
            if allowed and own not in allowed:
                found.append(f"{name} imports {target}, which only {', '.join(allowed)} may import")
            continue
        if target == "backlog_health":
            continue
        other_layer, other = component(target)
        if other == own:
            continue
        if (own, other) in NEVER:
            found.append(f"{name} imports {target}: {own} never imports {other}")
        elif other_layer < layer:
            found.append(f"{name} imports {target}, a layer above it")
        elif other_layer == layer and not LAYERS[layer][1]:
            found.append(f"{name} imports {target}: {own} and {other} are independent")
    return found


def test_every_module_is_checked():
    assert {"backlog_health.cli", "backlog_health.metrics.report", "backlog_health.ingest.jira_csv",
            "backlog_health.dashboard.app_pages.upload"} <= set(MODULES)
    for name in MODULES:
        component(name)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_arrows_point_down(name):
    assert violations(name, MODULES[name]) == []


def test_the_contract_catches_an_upward_import(tmp_path):
    """The check itself bites: an import of the dashboard from a metric is caught."""
    fake = tmp_path / "report.py"
    fake.write_text("def f():\n    from backlog_health.dashboard import data\n    import backlog_health.ingest.jira_csv\n")
    found = violations("backlog_health.metrics.report", fake)
    assert any("dashboard.data, a layer above" in line for line in found)
    assert any("ingest.jira_csv: backlog_health.metrics and backlog_health.ingest are independent" in line
               for line in found)


def test_every_package_folder_is_installed():
    """Each folder holding modules is in pyproject's package list, so the wheel has it."""
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0] for name in MODULES}
    assert folders <= listed


def test_importing_the_library_imports_no_streamlit():
    code = (
        "import sys, backlog_health, backlog_health.api, backlog_health.cli, backlog_health.metrics.report;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly', 'jira')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == "[]"
