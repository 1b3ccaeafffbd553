"""The rules file: documented defaults, validation naming the bad key."""

from __future__ import annotations

import pytest

from backlog_health.errors import InputError
from backlog_health.rules import CustomCheck, Rules, load_rules
from tests.conftest import REPO


def write(tmp_path, text: str):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_rules_file_is_exactly_the_defaults():
    assert load_rules(REPO / "data" / "rules.toml") == Rules()


def test_partial_file_keeps_defaults_for_the_rest(tmp_path):
    rules = load_rules(write(tmp_path, '[near_term]\nmode = "count"\ncount = 12\n[ready]\nassigned = false\n'))
    assert (rules.near_term_mode, rules.near_term_count, rules.assigned) == ("count", 12, False)
    assert rules.max_points == Rules().max_points
    assert "assigned" not in rules.enabled_checks


def test_custom_checks_are_read(tmp_path):
    rules = load_rules(write(tmp_path, """
[[ready.custom]]
name = "designs_ready"
field = "Diseños listos"

[[ready.custom]]
name = "ux"
label = "ux-reviewed"
"""))
    assert rules.custom_checks == (CustomCheck("designs_ready", field="Diseños listos"),
                                   CustomCheck("ux", label="ux-reviewed"))
    assert rules.enabled_checks[-2:] == ("designs_ready", "ux")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[ready]\nmin_word = 3\n", 'unknown key "ready.min_word"'),
        ("[near_term]\nmode = \"sometimes\"\n", '"near_term.mode" must be one of'),
        ("[near_term]\ncount = 0\n", '"near_term.count" must be a whole number >= 1'),
        ("[ready]\nestimated = \"yes\"\n", '"ready.estimated" must be true or false'),
        ("[churn]\nrbo_p = 1.0\n", '"churn.rbo_p" must be a number strictly between 0 and 1'),
        ("[duplicates]\nthreshold = true\n", '"duplicates.threshold" must be a number between 0 and 1'),
        ("[[ready.custom]]\nname = \"x\"\n", 'needs exactly one of "field" or "label"'),
        ("[[ready.custom]]\nname = \"sized\"\nlabel = \"a\"\n", "is a built-in check"),
        ("near_term = 3\n", '"near_term" must be a [near_term] table'),
        ("[ready\n", "is not valid TOML"),
    ],
)
def test_bad_rules_name_the_key(tmp_path, text, message):
    with pytest.raises(InputError) as error:
        load_rules(write(tmp_path, text))
    assert message in str(error.value)
    assert str(error.value).startswith(str(tmp_path / "rules.toml"))
