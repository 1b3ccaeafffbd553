"""Behaviour is unchanged: the CLI's JSON on the demo store equals the golden copy."""

from __future__ import annotations

import pytest

from tests.conftest import copy_demo
from tests.golden import COMMANDS, answers, read_golden

# Every CLI command over the whole demo history (~25 s): the whole suite only.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def found(demo_db, tmp_path_factory):
    return answers(copy_demo(demo_db, tmp_path_factory.mktemp("golden")))


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_cli_json_equals_the_golden_copy(found, name):
    assert found[name] == read_golden()[name]
