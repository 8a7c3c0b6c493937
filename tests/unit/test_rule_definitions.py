"""The backtest rules are defined once: everything else derives from RuleKeywords."""

from __future__ import annotations

import inspect
import math
import re
from pathlib import Path

import pytest

from fastopt.backtest import run_backtest
from fastopt.backtest.config import ConfigError, parse_config
from fastopt.backtest.rule_definitions import (
    RULES,
    Choice,
    Delta,
    Integer,
    Parsed,
    Real,
    rule_parameters_doc,
    rule_reference,
)
from fastopt.backtest.rules import DEFAULT_RULES, RULE_NAMES, STRUCTURE_RULE, compile_rules

DOCS = Path(__file__).resolve().parents[2] / "docs" / "backtest.md"
BEGIN = "<!-- rule reference: generated from fastopt.backtest.rule_definitions -->\n"
END = "<!-- end of rule reference -->"


def test_defaults_and_names_come_from_the_definition():
    assert list(DEFAULT_RULES) == ["structure", *RULES]
    assert tuple(DEFAULT_RULES) == RULE_NAMES
    assert DEFAULT_RULES["structure"] == STRUCTURE_RULE.default == "iron_condor"
    assert all(DEFAULT_RULES[name] == rule.default for name, rule in RULES.items())
    assert all(rule.name == name and rule.doc and rule.type_text for name, rule in RULES.items())


def test_run_backtest_signature_lists_every_rule():
    params = inspect.signature(run_backtest).parameters
    assert list(params)[:2] == ["chain", "structure"]
    assert list(params)[2:-2] == list(RULES)
    assert list(params)[-2:] == ["start", "end"]
    for name, rule in RULES.items():
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert params[name].default == rule.default
    assert params["stop_loss"].annotation == (float | None)


def test_docstring_documents_every_rule_once():
    doc = run_backtest.__doc__ or ""
    assert rule_parameters_doc() in doc
    for name, rule in RULES.items():
        heads = re.findall(rf"^    {name} : (.*)$", doc, flags=re.MULTILINE)
        assert len(heads) == 1, name
        assert heads[0].startswith(rule.type_text)


def test_the_guide_lists_the_rules_from_the_definition():
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index(BEGIN) + len(BEGIN) : text.index(END)]
    assert section == rule_reference()
    for name in RULES:
        assert section.count(f"| `{name}` |") == 1


def _bad_value(check: object) -> object:
    if isinstance(check, Delta):
        return 1.5
    if isinstance(check, Real):
        return check.low - 1.0 if math.isfinite(check.low) else "x"
    if isinstance(check, Integer):
        return check.low - 1
    if isinstance(check, Choice):
        return "no-such-option"
    assert isinstance(check, Parsed)
    return ["someday"]


@pytest.mark.parametrize("name", [n for n in RULES if n != "legs"])
def test_every_rule_rejects_a_bad_value_naming_itself(name):
    rule = RULES[name]
    with pytest.raises((TypeError, ValueError), match=f"`{name}`"):
        compile_rules(structure="short_put", **{name: _bad_value(rule.check)})


@pytest.mark.parametrize("name", [n for n, r in RULES.items() if not isinstance(r.check, Parsed)])
def test_every_rule_refuses_a_bool(name):
    with pytest.raises((TypeError, ValueError), match=f"`{name}`"):
        compile_rules(structure="short_put", **{name: True})


def test_checks_parse_and_bound():
    assert Real(0.0, 1.0).parse(0.5, "x") == 0.5
    assert math.isnan(Real(0.0, nullable=True).parse(None, "x"))
    with pytest.raises(TypeError, match="`x` must be a real number"):
        Real().parse(None, "x")
    with pytest.raises(ValueError, match=r"`x` must be in \(0, 1\] \(or None\), got 0"):
        Real(0.0, 1.0, open_low=True, nullable=True).parse(0, "x")
    with pytest.raises(ValueError, match=r"`w` must be > 0 strike points, got 0\.0"):
        Real(0.0, open_low=True, unit="strike points").parse(0.0, "w")
    assert Integer(1).parse(3, "n") == 3.0
    with pytest.raises(TypeError, match="integer"):
        Integer(1).parse(2.5, "n")
    assert Choice(("a", "b"), nullable=True).parse(None, "c") is None
    with pytest.raises(ValueError, match="`d` must be an absolute delta"):
        Delta().parse(0.0, "d")
    assert RULES["weekdays"].parse(["mon", 4]) == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    assert RULES["weekdays"].parse(None) == [1.0] * 7
    with pytest.raises(TypeError, match="non-empty sequence"):
        RULES["weekdays"].parse([])
    assert RULES["capital_per_trade"].bounds_text == "(0, 1], or None (off)"
    assert RULES["width"].bounds_text == "> 0, or None (by long_delta)"
    assert RULES["min_dte"].bounds_text == "integer >= 1"
    assert RULES["fill"].bounds_text == '"natural", "mid"'


def test_unused_rules_are_still_checked():
    # a structure without wings does not use `width`, but a bad value is an error
    with pytest.raises(ValueError, match="`width`"):
        compile_rules(structure="short_put", width=-5.0)


def test_yaml_rules_and_grid_keys_are_the_rule_names(tmp_path):
    with pytest.raises(ConfigError, match=r"'short_detla'.*mean 'short_delta'"):
        parse_config({"rules": {"short_detla": 0.2}}, tmp_path)
    with pytest.raises(ConfigError, match="stop_loss"):
        parse_config({"rules": {"structure": "short_put", "stop_loss": 0}}, tmp_path)
    cfg = parse_config({"rules": {"structure": "short_put"}, "grid": {"calendar_gap": [20, 40]}},
                       tmp_path)  # fmt: skip
    assert cfg.grid == {"calendar_gap": [20, 40]}


def test_structure_names_come_from_the_structure_table():
    import typing

    from fastopt.backtest.engine import Structure
    from fastopt.backtest.rules import ALIASES, LEGS, STRUCTURES
    from fastopt.strategies.structures import backtest_legs

    assert backtest_legs() == LEGS
    assert (*LEGS, *ALIASES, "custom") == STRUCTURES
    assert STRUCTURE_RULE.check.options == STRUCTURES
    # the Literal that type checkers read lists the same names
    names = typing.get_args(Structure)
    assert len(names) == len(LEGS)
    assert set(names) == set(LEGS)
