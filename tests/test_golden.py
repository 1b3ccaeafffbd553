"""Behaviour is unchanged: the CLI's JSON on the demo store equals the golden copy."""

from __future__ import annotations

import pytest

from tests.golden import COMMANDS, answers, read_golden


@pytest.fixture(scope="module")
def found(tmp_path_factory):
    from tests.conftest import write_demo_store

    return answers(write_demo_store(tmp_path_factory.mktemp("golden") / "demo.duckdb"))


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_cli_json_equals_the_golden_copy(found, name):
    assert found[name] == read_golden()[name]
