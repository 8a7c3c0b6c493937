"""The structure table: the backtest's structures, the builders and the guide all come from it."""

from __future__ import annotations

import dataclasses
import inspect
import re
from pathlib import Path

import pytest

from fastopt.kernels.enums import ExpirySlot, LegKind, Select
from fastopt.strategies import builders as b
from fastopt.strategies.builders import BUILDERS
from fastopt.strategies.structures import (
    STRUCTURES,
    LegSpec,
    backtest_aliases,
    backtest_debit_structures,
    backtest_legs,
)
from tests.unit.test_builders import CASES, MKT, S

# literal copies of fastopt.backtest.rules (LEGS, DEBIT_STRUCTURES, ALIASES) before the table
LEGS = {
    "short_put": ((-1, 1, 0, -1, 0),),
    "short_call": ((-1, 0, 0, -1, 0),),
    "bull_put_spread": ((-1, 1, 0, -1, 0), (1, 1, 1, 0, 0)),
    "bear_call_spread": ((-1, 0, 0, -1, 0), (1, 0, 1, 0, 0)),
    "short_strangle": ((-1, 1, 0, -1, 0), (-1, 0, 0, -1, 0)),
    "short_straddle": ((-1, 1, 0, -1, 0), (-1, 0, 2, 0, 0)),
    "iron_condor": ((-1, 1, 0, -1, 0), (1, 1, 1, 0, 0), (-1, 0, 0, -1, 0), (1, 0, 1, 2, 0)),
    "iron_butterfly": ((-1, 1, 0, -1, 0), (-1, 0, 2, 0, 0), (1, 1, 1, 0, 0), (1, 0, 1, 1, 0)),
    "jade_lizard": ((-1, 1, 0, -1, 0), (-1, 0, 0, -1, 0), (1, 0, 1, 1, 0)),
    "long_call": ((1, 0, 0, -1, 0),),
    "long_put": ((1, 1, 0, -1, 0),),
    "long_straddle": ((1, 1, 0, -1, 0), (1, 0, 2, 0, 0)),
    "long_strangle": ((1, 1, 0, -1, 0), (1, 0, 0, -1, 0)),
    "bull_call_spread": ((1, 0, 0, -1, 0), (-1, 0, 1, 0, 0)),
    "bear_put_spread": ((1, 1, 0, -1, 0), (-1, 1, 1, 0, 0)),
    "call_butterfly": ((-2, 0, 0, -1, 0), (1, 0, 1, 0, 0), (1, 0, 3, 0, 0)),
    "put_butterfly": ((-2, 1, 0, -1, 0), (1, 1, 1, 0, 0), (1, 1, 3, 0, 0)),
    "covered_call": ((-1, 0, 0, -1, 0), (1, 2, 5, -1, 0)),
    "protective_put": ((1, 1, 0, -1, 0), (1, 2, 5, -1, 0)),
    "collar": ((1, 1, 0, -1, 0), (-1, 0, 0, -1, 0), (1, 2, 5, -1, 0)),
    "covered_put": ((-1, 1, 0, -1, 0), (-1, 2, 5, -1, 0)),
    "call_calendar": ((-1, 0, 0, -1, 0), (1, 0, 2, 0, 1)),
    "put_calendar": ((-1, 1, 0, -1, 0), (1, 1, 2, 0, 1)),
    "call_diagonal": ((-1, 0, 0, -1, 0), (1, 0, 3, 0, 1)),
    "put_diagonal": ((-1, 1, 0, -1, 0), (1, 1, 3, 0, 1)),
}
DEBIT_STRUCTURES = frozenset(
    {"long_call", "long_put", "long_straddle", "long_strangle", "bull_call_spread",
     "bear_put_spread", "call_butterfly", "put_butterfly", "call_calendar", "put_calendar",
     "call_diagonal", "put_diagonal", "covered_call", "protective_put", "collar"}
)  # fmt: skip
ALIASES = {
    "put_credit_spread": "bull_put_spread",
    "call_credit_spread": "bear_call_spread",
    "call_debit_spread": "bull_call_spread",
    "put_debit_spread": "bear_put_spread",
}


# --------------------------------------------------------------------------- the backtest's view
def test_backtest_legs_are_the_backtests_table_exactly():
    legs = backtest_legs()
    assert legs == LEGS
    assert list(legs) == list(LEGS)
    for name, rows in legs.items():
        assert all(type(x) is int for row in rows for x in row), name


def test_backtest_debit_structures_and_aliases():
    assert backtest_debit_structures() == DEBIT_STRUCTURES
    assert backtest_aliases() == ALIASES
    assert list(backtest_aliases()) == list(ALIASES)


def test_backtest_specs_pick_every_leg_once_and_refer_to_earlier_option_legs():
    ranks = []
    for spec in STRUCTURES.values():
        if spec.backtest is None:
            continue
        ranks.append(spec.backtest.rank)
        picked = [leg.leg for leg in spec.backtest.legs]
        assert sorted(picked) == list(range(len(spec.legs))), spec.name
        for n, leg in enumerate(spec.backtest.legs):
            stock = spec.legs[leg.leg].kind == LegKind.STOCK
            assert (leg.select == Select.STOCK) == stock, spec.name
            needs_ref = leg.select in (Select.WING_OUT, Select.WING_IN, Select.SAME_STRIKE)
            assert (leg.of >= 0) == needs_ref, spec.name
            if needs_ref:
                assert leg.of in picked[:n], spec.name
                assert spec.legs[leg.of].kind != LegKind.STOCK, spec.name
    assert sorted(ranks) == list(range(len(LEGS)))


# --------------------------------------------------------------------------- the table itself
@pytest.mark.parametrize("name", list(STRUCTURES))
def test_spec_is_consistent(name):
    spec = STRUCTURES[name]
    assert spec.name == name
    assert spec.description.endswith(".")
    assert spec.side in ("credit", "debit", "either")
    for leg in (*spec.legs, *(spec.put_legs or ())):
        assert leg.kind in LegKind
        assert leg.ratio != 0
        assert (leg.strike is None) == (leg.kind == LegKind.STOCK)
        assert leg.expiry in ExpirySlot
    if spec.order:  # the rule chains every strike role once, in argument order
        tokens = spec.order.split()
        assert tuple(tokens[::2]) == spec.strikes
        assert set(tokens[1::2]) <= {"<", "<="}
    if spec.equal_wings:
        assert spec.strikes == ("lower", "middle", "upper")
    if spec.put_legs is not None:
        assert [leg.strike for leg in spec.put_legs] == [leg.strike for leg in spec.legs]
        assert {leg.kind for leg in spec.put_legs} == {LegKind.PUT}
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.name = "x"  # type: ignore[misc]


def test_leg_text():
    assert str(LegSpec(LegKind.PUT, -2, "short_strike", scaled=True)) == "-ratio P short_strike"
    assert str(LegSpec(LegKind.CALL, 2, "long_strike", scaled=True)) == "+ratio C long_strike"
    assert str(LegSpec(LegKind.STOCK, 1)) == "+1 S"


# --------------------------------------------------------------------------- the builders' view
def test_builders_are_the_tables_structures_in_its_order():
    assert list(BUILDERS) == [n for n, spec in STRUCTURES.items() if spec.builder]
    assert [n for n, spec in STRUCTURES.items() if not spec.builder] == ["covered_put"]
    assert all(f.__name__ == n for n, f in BUILDERS.items())
    assert set(BUILDERS) == set(b.__all__) - {"BUILDERS", "CommonKeywords", "DateLike",
                                              "Premiums", "build"}  # fmt: skip


@pytest.mark.parametrize("name", list(BUILDERS))
def test_builder_signature_follows_the_spec(name):
    spec = STRUCTURES[name]
    params = inspect.signature(BUILDERS[name]).parameters
    positional = [p for p, v in params.items() if v.kind is v.POSITIONAL_OR_KEYWORD]
    assert positional == ["spot", *spec.strikes, *spec.expiries]
    keywords = [p for p, v in params.items() if v.kind is v.KEYWORD_ONLY]
    extra = ["kind"] * (spec.put_legs is not None) + ["ratio"] * spec.takes_ratio
    assert keywords == [*extra, "quantity", "premiums", "vol", "rate", "div", "asof",
                        "year_basis", "multiplier"]  # fmt: skip


@pytest.mark.parametrize("name", list(BUILDERS))
@pytest.mark.parametrize("kind", ["call", "put"])
def test_built_legs_are_the_specs_legs(name, kind):
    spec = STRUCTURES[name]
    if kind == "put" and spec.put_legs is None:
        return
    args, kwargs, _, _ = CASES[name]
    extra = {"kind": kind} if spec.put_legs is not None else {}
    s = BUILDERS[name](S, *args, **{**MKT, **kwargs, **extra, "quantity": 3, "premiums": None})
    values = dict(zip((*spec.strikes, *spec.expiries), args, strict=True))
    legs = spec.put_legs if kind == "put" and spec.put_legs is not None else spec.legs
    assert len(s.legs) == len(legs)
    for leg, want in zip(s.legs, legs, strict=True):
        ratio = (2 if want.ratio > 0 else -2) if want.scaled else want.ratio
        if want.kind == LegKind.STOCK:
            assert (leg.kind, leg.quantity) == ("stock", 300 * ratio)
            continue
        assert leg.kind == ("call" if want.kind == LegKind.CALL else "put")
        assert leg.quantity == 3 * ratio
        assert leg.strike == values[want.strike]
        slot = spec.expiries[-1] if want.expiry == ExpirySlot.FAR else spec.expiries[0]
        assert leg.expiry.isoformat() == values[slot]


def test_unknown_keyword_is_a_type_error_as_before():
    with pytest.raises(
        TypeError, match=r"^iron_condor\(\) got an unexpected keyword argument 'qty'"
    ):
        b.iron_condor(S, 85.0, 90.0, 110.0, 115.0, "2025-03-21", qty=2, **MKT)  # type: ignore[call-arg]


# --------------------------------------------------------------------------- the guide's view
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "strategies.md"
ROW = re.compile(r"^\| `(\w+)` \| (.+?) \| (.+?) \|$", re.MULTILINE)


def _leg_text(spec, leg):
    if leg.kind == LegKind.STOCK:
        return f"`{100 * leg.ratio:+d} S`"
    text = str(leg)
    if len(spec.expiries) == 2:
        text += " far" if leg.expiry == ExpirySlot.FAR else " near"
    return f"`{text}`"


def _legs_cell(spec):
    calls = ", ".join(_leg_text(spec, leg) for leg in spec.legs)
    if spec.put_legs is None:
        return calls
    if [leg.ratio for leg in spec.put_legs] == [leg.ratio for leg in spec.legs]:
        return calls.replace(" C ", " K ")  # one shape, either kind
    return f"calls: {calls}; puts: " + ", ".join(_leg_text(spec, leg) for leg in spec.put_legs)


def _args_cell(spec):
    parts = [spec.order or ", ".join(spec.strikes)]
    parts.append(" < ".join(spec.expiries))
    parts += ["ratio=2"] * spec.takes_ratio + ["kind="] * (spec.put_legs is not None)
    return f"`{', '.join(parts)}`" + " (equal wings)" * spec.equal_wings


def test_guide_table_is_the_structure_table():
    section = GUIDE.read_text().split("### Every builder and its legs", 1)[1].split("\n\n`", 1)[0]
    rows = ROW.findall(section)
    assert [name for name, _, _ in rows] == list(BUILDERS)
    for name, args, legs in rows:
        spec = STRUCTURES[name]
        assert args == _args_cell(spec), name
        want = _legs_cell(spec)
        assert legs == want or (legs.startswith(f"{want} (") and legs.endswith(")")), name


def test_type_errors_name_the_builder():
    with pytest.raises(TypeError, match=r"^long_call: `expiry` must be a datetime.date or an ISO"):
        b.long_call(S, 100.0, 3, **MKT)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^long_call: `rate` must be a real number, got 'x'"):
        b.long_call(S, 100.0, "2025-03-21", rate="x", **MKT)  # type: ignore[typeddict-item]
