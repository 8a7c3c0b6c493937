"""Predefined strategy builders: legs, names, payoff facts, validation, the registry."""

from __future__ import annotations

import inspect
import math
from pathlib import Path

import numpy as np
import pytest

from fastopt.strategies import builders as b
from fastopt.strategies.builders import BUILDERS, build
from fastopt.strategies.leg import Leg
from fastopt.strategies.strategy import Strategy

S = 100.0
E = "2025-03-21"
FAR = "2025-04-17"
LEAP = "2025-09-19"
ASOF = "2025-02-21"
MKT = {"vol": 0.2, "asof": ASOF}
INF = math.inf

# name -> (positional args after spot, keywords, legs [(kind, qty, strike, expiry)], facts)
# facts: max_profit, max_loss, breakevens (None: not checked), all in dollars per unit.
CASES: dict[str, tuple[tuple[object, ...], dict[str, object], list[tuple[object, ...]], dict]] = {
    "long_call": (
        (105.0, E),
        {"premiums": [1.5]},
        [("call", 1, 105.0, E)],
        {"max_profit": INF, "max_loss": -150.0, "breakevens": (106.5,)},
    ),
    "short_call": (
        (105.0, E),
        {"premiums": [1.5]},
        [("call", -1, 105.0, E)],
        {"max_profit": 150.0, "max_loss": -INF, "breakevens": (106.5,)},
    ),
    "long_put": (
        (95.0, E),
        {"premiums": [1.2]},
        [("put", 1, 95.0, E)],
        {"max_profit": 9380.0, "max_loss": -120.0, "breakevens": (93.8,)},
    ),
    "short_put": (
        (95.0, E),
        {"premiums": [1.2]},
        [("put", -1, 95.0, E)],
        {"max_profit": 120.0, "max_loss": -9380.0, "breakevens": (93.8,)},
    ),
    "cash_secured_put": (
        (95.0, E),
        {"premiums": [1.2]},
        [("put", -1, 95.0, E)],
        {"max_profit": 120.0, "max_loss": -9380.0, "breakevens": (93.8,)},
    ),
    # covered call: max profit = (K - S0 + premium) * 100
    "covered_call": (
        (105.0, E),
        {"premiums": [None, 2.0]},
        [("stock", 100, None, None), ("call", -1, 105.0, E)],
        {"max_profit": 700.0, "max_loss": -9800.0, "breakevens": (98.0,)},
    ),
    "protective_put": (
        (95.0, E),
        {"premiums": [None, 1.5]},
        [("stock", 100, None, None), ("put", 1, 95.0, E)],
        {"max_profit": INF, "max_loss": -650.0, "breakevens": (101.5,)},
    ),
    "collar": (
        (95.0, 105.0, E),
        {"premiums": [None, 1.5, 1.0]},
        [("stock", 100, None, None), ("put", 1, 95.0, E), ("call", -1, 105.0, E)],
        {"max_profit": 450.0, "max_loss": -550.0, "breakevens": (100.5,)},
    ),
    "bull_call_spread": (
        (100.0, 105.0, E),
        {"premiums": [2.5, 0.9]},
        [("call", 1, 100.0, E), ("call", -1, 105.0, E)],
        {"max_profit": 340.0, "max_loss": -160.0, "breakevens": (101.6,)},
    ),
    "bear_call_spread": (
        (105.0, 110.0, E),
        {"premiums": [1.2, 0.4]},
        [("call", -1, 105.0, E), ("call", 1, 110.0, E)],
        {"max_profit": 80.0, "max_loss": -420.0, "breakevens": (105.8,)},
    ),
    "bull_put_spread": (
        (90.0, 95.0, E),
        {"premiums": [0.5, 1.3]},
        [("put", 1, 90.0, E), ("put", -1, 95.0, E)],
        {"max_profit": 80.0, "max_loss": -420.0, "breakevens": (94.2,)},
    ),
    "bear_put_spread": (
        (95.0, 100.0, E),
        {"premiums": [1.3, 2.8]},
        [("put", -1, 95.0, E), ("put", 1, 100.0, E)],
        {"max_profit": 350.0, "max_loss": -150.0, "breakevens": (98.5,)},
    ),
    "long_straddle": (
        (100.0, E),
        {"premiums": [2.5, 2.6]},
        [("put", 1, 100.0, E), ("call", 1, 100.0, E)],
        {"max_profit": INF, "max_loss": -510.0, "breakevens": (94.9, 105.1)},
    ),
    "short_straddle": (
        (100.0, E),
        {"premiums": [2.5, 2.6]},
        [("put", -1, 100.0, E), ("call", -1, 100.0, E)],
        {"max_profit": 510.0, "max_loss": -INF, "breakevens": (94.9, 105.1)},
    ),
    "long_strangle": (
        (95.0, 105.0, E),
        {"premiums": [1.2, 1.3]},
        [("put", 1, 95.0, E), ("call", 1, 105.0, E)],
        {"max_profit": INF, "max_loss": -250.0, "breakevens": (92.5, 107.5)},
    ),
    "short_strangle": (
        (95.0, 105.0, E),
        {"premiums": [1.2, 1.3]},
        [("put", -1, 95.0, E), ("call", -1, 105.0, E)],
        {"max_profit": 250.0, "max_loss": -INF, "breakevens": (92.5, 107.5)},
    ),
    "strip": (
        (100.0, E),
        {"premiums": [2.5, 2.6]},
        [("put", 2, 100.0, E), ("call", 1, 100.0, E)],
        {"max_profit": INF, "max_loss": -760.0, "breakevens": (96.2, 107.6)},
    ),
    "strap": (
        (100.0, E),
        {"premiums": [2.5, 2.6]},
        [("put", 1, 100.0, E), ("call", 2, 100.0, E)],
        {"max_profit": INF, "max_loss": -770.0, "breakevens": (92.3, 103.85)},
    ),
    # iron condor: max profit = the credit, max loss = width - credit
    "iron_condor": (
        (85.0, 90.0, 110.0, 115.0, E),
        {"premiums": [0.4, 1.1, 1.0, 0.35]},
        [("put", 1, 85.0, E), ("put", -1, 90.0, E), ("call", -1, 110.0, E), ("call", 1, 115.0, E)],
        {"max_profit": 135.0, "max_loss": -365.0, "breakevens": (88.65, 111.35)},
    ),
    "reverse_iron_condor": (
        (85.0, 90.0, 110.0, 115.0, E),
        {"premiums": [0.4, 1.1, 1.0, 0.35]},
        [("put", -1, 85.0, E), ("put", 1, 90.0, E), ("call", 1, 110.0, E), ("call", -1, 115.0, E)],
        {"max_profit": 365.0, "max_loss": -135.0, "breakevens": (88.65, 111.35)},
    ),
    "iron_butterfly": (
        (90.0, 100.0, 110.0, E),
        {"premiums": [0.6, 2.5, 2.6, 0.7]},
        [("put", 1, 90.0, E), ("put", -1, 100.0, E), ("call", -1, 100.0, E), ("call", 1, 110.0, E)],
        {"max_profit": 380.0, "max_loss": -620.0, "breakevens": (96.2, 103.8)},
    ),
    # long butterfly: max loss = the debit
    "long_call_butterfly": (
        (95.0, 100.0, 105.0, E),
        {"premiums": [5.5, 2.5, 0.9]},
        [("call", 1, 95.0, E), ("call", -2, 100.0, E), ("call", 1, 105.0, E)],
        {"max_profit": 360.0, "max_loss": -140.0, "breakevens": (96.4, 103.6)},
    ),
    "short_call_butterfly": (
        (95.0, 100.0, 105.0, E),
        {"premiums": [5.5, 2.5, 0.9]},
        [("call", -1, 95.0, E), ("call", 2, 100.0, E), ("call", -1, 105.0, E)],
        {"max_profit": 140.0, "max_loss": -360.0, "breakevens": (96.4, 103.6)},
    ),
    "long_put_butterfly": (
        (95.0, 100.0, 105.0, E),
        {"premiums": [0.9, 2.5, 5.5]},
        [("put", 1, 95.0, E), ("put", -2, 100.0, E), ("put", 1, 105.0, E)],
        {"max_profit": 360.0, "max_loss": -140.0, "breakevens": (96.4, 103.6)},
    ),
    "short_put_butterfly": (
        (95.0, 100.0, 105.0, E),
        {"premiums": [0.9, 2.5, 5.5]},
        [("put", -1, 95.0, E), ("put", 2, 100.0, E), ("put", -1, 105.0, E)],
        {"max_profit": 140.0, "max_loss": -360.0, "breakevens": (96.4, 103.6)},
    ),
    "broken_wing_butterfly": (
        (95.0, 100.0, 110.0, E),
        {"premiums": [5.5, 2.5, 0.3]},
        [("call", 1, 95.0, E), ("call", -2, 100.0, E), ("call", 1, 110.0, E)],
        {"max_profit": 420.0, "max_loss": -580.0, "breakevens": (95.8, 104.2)},
    ),
    "long_call_condor": (
        (90.0, 95.0, 105.0, 110.0, E),
        {"premiums": [10.5, 6.5, 1.5, 0.6]},
        [
            ("call", 1, 90.0, E),
            ("call", -1, 95.0, E),
            ("call", -1, 105.0, E),
            ("call", 1, 110.0, E),
        ],
        {"max_profit": 190.0, "max_loss": -310.0, "breakevens": (93.1, 106.9)},
    ),
    "long_put_condor": (
        (90.0, 95.0, 105.0, 110.0, E),
        {"premiums": [0.6, 1.5, 6.5, 10.5]},
        [("put", 1, 90.0, E), ("put", -1, 95.0, E), ("put", -1, 105.0, E), ("put", 1, 110.0, E)],
        {"max_profit": 190.0, "max_loss": -310.0, "breakevens": (93.1, 106.9)},
    ),
    # calendars and diagonals: priced at vol 0.2; the most they lose is the debit
    "call_calendar": (
        (100.0, E, FAR),
        {},
        [("call", -1, 100.0, E), ("call", 1, 100.0, FAR)],
        {"max_loss": "-cost"},
    ),
    "put_calendar": (
        (100.0, E, FAR),
        {},
        [("put", -1, 100.0, E), ("put", 1, 100.0, FAR)],
        {"max_loss": "-cost"},
    ),
    "call_diagonal": (
        (105.0, 100.0, E, FAR),
        {},
        [("call", -1, 105.0, E), ("call", 1, 100.0, FAR)],
        {"max_loss": "-cost"},
    ),
    "put_diagonal": (
        (95.0, 100.0, E, FAR),
        {},
        [("put", -1, 95.0, E), ("put", 1, 100.0, FAR)],
        {"max_loss": "-cost"},
    ),
    "poor_mans_covered_call": (
        (80.0, 105.0, E, LEAP),
        {},
        [("call", 1, 80.0, LEAP), ("call", -1, 105.0, E)],
        {"max_loss": "-cost"},
    ),
    "call_ratio_spread": (
        (100.0, 105.0, E),
        {"premiums": [2.5, 0.9]},
        [("call", 1, 100.0, E), ("call", -2, 105.0, E)],
        {"max_profit": 430.0, "max_loss": -INF, "breakevens": (100.7, 109.3)},
    ),
    "put_ratio_spread": (
        (95.0, 100.0, E),
        {"premiums": [1.2, 2.8]},
        [("put", -2, 95.0, E), ("put", 1, 100.0, E)],
        {"max_profit": 460.0, "max_loss": -9040.0, "breakevens": (90.4, 99.6)},
    ),
    "call_backspread": (
        (100.0, 105.0, E),
        {"premiums": [2.5, 0.9]},
        [("call", -1, 100.0, E), ("call", 2, 105.0, E)],
        {"max_profit": INF, "max_loss": -430.0, "breakevens": (100.7, 109.3)},
    ),
    "put_backspread": (
        (95.0, 100.0, E),
        {"premiums": [1.2, 2.8]},
        [("put", 2, 95.0, E), ("put", -1, 100.0, E)],
        {"max_profit": 9040.0, "max_loss": -460.0, "breakevens": (90.4, 99.6)},
    ),
    # credit 1.8 > call-spread width 1: no upside risk
    "jade_lizard": (
        (95.0, 105.0, 106.0, E),
        {"premiums": [1.5, 1.3, 1.0]},
        [("put", -1, 95.0, E), ("call", -1, 105.0, E), ("call", 1, 106.0, E)],
        {"max_profit": 180.0, "max_loss": -9320.0, "breakevens": (93.2,)},
    ),
    "risk_reversal": (
        (95.0, 105.0, E),
        {"premiums": [1.2, 1.3]},
        [("put", -1, 95.0, E), ("call", 1, 105.0, E)],
        {"max_profit": INF, "max_loss": -9510.0, "breakevens": (105.1,)},
    ),
    "synthetic_long": (
        (100.0, E),
        {"premiums": [2.5, 2.6]},
        [("put", -1, 100.0, E), ("call", 1, 100.0, E)],
        {"max_profit": INF, "max_loss": -10010.0, "breakevens": (100.1,)},
    ),
    "synthetic_short": (
        (100.0, E),
        {"premiums": [2.5, 2.6]},
        [("put", 1, 100.0, E), ("call", -1, 100.0, E)],
        {"max_profit": 10010.0, "max_loss": -INF, "breakevens": (100.1,)},
    ),
    # a box pays its width: P&L = (width - cost) * 100 at every price
    "long_box": (
        (95.0, 105.0, E),
        {"premiums": [6.0, 1.5, 6.4, 1.8]},
        [("call", 1, 95.0, E), ("call", -1, 105.0, E), ("put", 1, 105.0, E), ("put", -1, 95.0, E)],
        {"max_profit": 90.0, "max_loss": 90.0, "breakevens": ()},
    ),
    "christmas_tree": (
        (100.0, 105.0, 110.0, E),
        {"premiums": [2.5, 0.9, 0.3]},
        [("call", 1, 100.0, E), ("call", -1, 105.0, E), ("call", -1, 110.0, E)],
        {"max_profit": 370.0, "max_loss": -INF, "breakevens": (101.3, 113.7)},
    ),
    "seagull": (
        (95.0, 100.0, 105.0, E),
        {"premiums": [1.2, 2.5, 0.9]},
        [("put", -1, 95.0, E), ("call", 1, 100.0, E), ("call", -1, 105.0, E)],
        {"max_profit": 460.0, "max_loss": -9540.0, "breakevens": (100.4,)},
    ),
}


def _make(name: str, **extra: object) -> Strategy:
    args, kwargs, _, _ = CASES[name]
    return BUILDERS[name](S, *args, **{**MKT, **kwargs, **extra})


def _legs(strategy: Strategy) -> list[tuple[object, ...]]:
    return [
        (
            leg.kind,
            leg.quantity,
            leg.strike,
            None if leg.expiry is None else leg.expiry.isoformat(),
        )
        for leg in strategy.legs
    ]


def test_every_builder_has_a_case_and_there_are_at_least_30():
    assert set(CASES) == set(BUILDERS)
    assert len(BUILDERS) >= 30
    assert set(BUILDERS) <= set(b.__all__)


@pytest.mark.parametrize("name", sorted(CASES))
def test_builder_legs_name_and_payoff(name):
    _, _, legs, facts = CASES[name]
    s = _make(name)
    assert s.name == name
    assert _legs(s) == legs
    a = s.analyze(grid=0)
    for key, expected in facts.items():
        got = getattr(a, key)
        if expected == "-cost":  # calendars: the debit is the most they can lose
            assert s.cost > 0
            assert got == pytest.approx(-s.cost, rel=1e-6)
            assert a.max_profit > 0
        elif key == "breakevens":
            assert got == pytest.approx(expected, abs=1e-9)
        else:
            assert got == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c[3].get("breakevens")))
def test_payoff_is_zero_at_the_breakevens_and_matches_max_profit(name):
    _, _, _, facts = CASES[name]
    s = _make(name)
    be = np.array(facts["breakevens"])
    assert s.payoff(be) == pytest.approx(np.zeros_like(be), abs=1e-8)
    strikes = np.array(sorted({leg.strike for leg in s.legs if leg.strike is not None}))
    at_strikes = s.payoff(strikes)
    if math.isfinite(facts["max_profit"]):
        assert at_strikes.max() <= facts["max_profit"] + 1e-8
        # the extremes of a piecewise-linear payoff sit on a kink or at 0 (or flat beyond)
        grid = s.payoff(np.r_[1e-9, strikes, 10.0 * strikes.max()])
        assert grid.max() == pytest.approx(facts["max_profit"], abs=1e-6)


def test_facts_checked_directly_by_payoff():
    # covered call: capped at (K - S0 + premium) * 100 above the strike
    cc = _make("covered_call")
    assert cc.payoff([105.0, 150.0, 500.0]).tolist() == pytest.approx([700.0] * 3)
    # long call butterfly: the debit is lost outside the wings
    fly = _make("long_call_butterfly")
    assert fly.payoff([50.0, 95.0, 105.0, 200.0]).tolist() == pytest.approx([-140.0] * 4)
    assert fly.max_loss == pytest.approx(-fly.cost)
    # iron condor: the credit is kept between the short strikes
    ic = _make("iron_condor")
    assert ic.max_profit == pytest.approx(-ic.cost)
    assert ic.payoff([90.0, 100.0, 110.0]).tolist() == pytest.approx([135.0] * 3)
    # a box pays its width whatever the price
    box = _make("long_box")
    assert box.payoff(np.linspace(50.0, 200.0, 7)) == pytest.approx(np.full(7, 90.0))
    # jade lizard: no upside risk
    assert _make("jade_lizard").payoff(1000.0) == pytest.approx(80.0)
    # calendar: the best outcome is at the strike
    cal = _make("call_calendar")
    assert cal.payoff(100.0) > cal.payoff(90.0)
    assert cal.payoff(100.0) > cal.payoff(110.0)


def test_put_variants_of_kind_builders():
    bwb = b.broken_wing_butterfly(
        S, 90.0, 100.0, 105.0, E, kind="put", premiums=[0.3, 2.5, 5.5], **MKT
    )
    assert _legs(bwb) == [("put", 1, 90.0, E), ("put", -2, 100.0, E), ("put", 1, 105.0, E)]
    assert (bwb.max_profit, bwb.max_loss) == pytest.approx((420.0, -580.0))
    tree = b.christmas_tree(S, 90.0, 95.0, 100.0, E, kind="put", premiums=[0.3, 1.2, 2.8], **MKT)
    assert _legs(tree) == [("put", -1, 90.0, E), ("put", -1, 95.0, E), ("put", 1, 100.0, E)]
    assert (tree.max_profit, tree.max_loss) == pytest.approx((370.0, -8630.0))
    assert tree.breakevens == pytest.approx((86.3, 98.7))


@pytest.mark.parametrize("name", ["iron_condor", "covered_call", "call_ratio_spread", "strip"])
def test_quantity_scales_every_leg(name):
    one, three = _make(name), _make(name, quantity=3)
    assert [leg.quantity for leg in three.legs] == [3 * leg.quantity for leg in one.legs]
    assert three.max_profit == pytest.approx(3 * one.max_profit)
    assert three.cost == pytest.approx(3 * one.cost)


def test_multiplier_and_ratio():
    cc = b.covered_call(S, 105.0, E, multiplier=10, premiums=[None, 2.0], **MKT)
    assert [leg.units for leg in cc.legs] == [10.0, -10.0]
    assert cc.max_profit == pytest.approx(70.0)
    r = b.call_ratio_spread(S, 100.0, 105.0, E, ratio=3, quantity=2, **MKT)
    assert [leg.quantity for leg in r.legs] == [2, -6]


def test_missing_premiums_are_black_scholes_values():
    from fastopt import bs_price

    s = b.iron_condor(S, 85.0, 90.0, 110.0, 115.0, E, premiums=[None, 1.1, None, 0.35], **MKT)
    t = 28 / 365
    assert s.legs[0].premium == pytest.approx(bs_price(S, 85.0, t, 0.2, kind="put"), rel=1e-12)
    assert s.legs[1].premium == 1.1
    assert s.legs[2].premium == pytest.approx(bs_price(S, 110.0, t, 0.2), rel=1e-12)
    stock = b.covered_call(120.0, 125.0, E, **MKT)
    assert stock.legs[0].premium == 120.0


@pytest.mark.parametrize("name", sorted(CASES))
def test_text_form_round_trips(name):
    s = _make(name)
    again = Strategy.from_text(str(s), spot=S, **MKT)
    assert again.legs == s.legs


# --------------------------------------------------------------------------- validation
MULTI_STRIKE = [
    n
    for n, f in BUILDERS.items()
    if sum(
        p.annotation == "float" and p.name != "spot"
        for p in inspect.signature(f).parameters.values()
        if p.kind is p.POSITIONAL_OR_KEYWORD
    )
    >= 2
    and n not in ("call_diagonal", "put_diagonal")
]


@pytest.mark.parametrize("name", MULTI_STRIKE)
def test_strikes_in_the_wrong_order_name_builder_and_rule(name):
    args, kwargs, _, _ = CASES[name]
    strikes = [a for a in args if isinstance(a, float)]
    dates = [a for a in args if not isinstance(a, float)]
    with pytest.raises(ValueError, match=rf"^{name}: strikes must satisfy .*<.*, got ") as exc:
        BUILDERS[name](S, *strikes[::-1], *dates, **{**MKT, **kwargs})
    params = [p for p in inspect.signature(BUILDERS[name]).parameters if p != "spot"]
    assert f"{params[0]}={strikes[-1]:g}" in str(exc.value)


def test_iron_condor_message_is_the_documented_one():
    with pytest.raises(ValueError, match="iron_condor") as exc:
        b.iron_condor(S, 95.0, 90.0, 110.0, 115.0, E, **MKT)
    assert str(exc.value) == (
        "iron_condor: strikes must satisfy long_put < short_put <= short_call < long_call, "
        "got long_put=95, short_put=90, short_call=110, long_call=115"
    )
    # equal short strikes are allowed (an iron butterfly shape)
    assert b.iron_condor(S, 95.0, 100.0, 100.0, 105.0, E, **MKT).name == "iron_condor"


@pytest.mark.parametrize(
    ("quantity", "kind"),
    [(0, ValueError), (-1, ValueError), (1.5, ValueError), (True, TypeError), ("2", TypeError)],
)
def test_bad_quantity(quantity, kind):
    with pytest.raises(kind, match=r"^long_strangle: `quantity` must be"):
        b.long_strangle(S, 95.0, 105.0, E, quantity=quantity, **MKT)


def test_whole_float_quantity_is_accepted():
    assert b.long_call(S, 100.0, E, quantity=2.0, **MKT).legs[0].quantity == 2
    assert b.long_call(S, 100.0, E, quantity=np.int64(3), **MKT).legs[0].quantity == 3


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: b.long_call(S, 100.0, None, **MKT), r"long_call: `expiry` is required"),
        (lambda: b.long_call(S, 100.0, "March", **MKT), r"long_call: `expiry` must be an ISO"),
        (lambda: b.long_call(S, 100.0, "2025-01-17", **MKT), r"long_call: .*expired"),
        (
            lambda: b.call_calendar(S, 100.0, None, FAR, **MKT),
            r"call_calendar: `near_expiry` is required",
        ),
        (
            lambda: b.call_calendar(S, 100.0, FAR, E, **MKT),
            r"call_calendar: expiries must satisfy near_expiry < far_expiry, "
            r"got near_expiry=2025-04-17, far_expiry=2025-03-21",
        ),
        (
            lambda: b.put_diagonal(S, 95.0, 100.0, E, E, **MKT),
            r"put_diagonal: expiries must satisfy near_expiry < far_expiry",
        ),
        (lambda: b.long_call(S, -5.0, E, **MKT), r"long_call: `strike` must be > 0, got -5"),
        (lambda: b.long_call(S, math.nan, E, **MKT), r"long_call: `strike` must be finite"),
        (lambda: b.long_call(0.0, 100.0, E, **MKT), r"long_call: `spot` must be > 0"),
        (
            lambda: b.long_call_butterfly(S, 90.0, 100.0, 105.0, E, **MKT),
            r"long_call_butterfly: wings must be equal .* use broken_wing_butterfly",
        ),
        (
            lambda: b.broken_wing_butterfly(S, 90.0, 100.0, 105.0, E, kind="straddle", **MKT),
            r"broken_wing_butterfly: `kind` must be 'call' or 'put', got 'straddle'",
        ),
        (
            lambda: b.call_ratio_spread(S, 100.0, 105.0, E, ratio=1, **MKT),
            r"call_ratio_spread: `ratio` must be a whole number >= 2, got 1",
        ),
        (
            lambda: b.iron_condor(S, 85.0, 90.0, 110.0, 115.0, E, premiums=[1.0, 2.0], **MKT),
            r"iron_condor: `premiums` needs 4 values \(one per leg, in leg order\), got 2",
        ),
        (
            lambda: b.bull_put_spread(S, 90.0, 95.0, E, premiums=[0.5, -1.0], **MKT),
            r"bull_put_spread: `premiums\[1\]` must be >= 0",
        ),
        (
            lambda: b.long_straddle(S, 100.0, E, asof=ASOF),
            r"long_straddle: `vol` is needed to price the legs without a premium",
        ),
        (
            lambda: b.covered_call(S, 105.0, E, multiplier=10.5, **MKT),
            r"covered_call: the stock leg needs whole shares, got quantity \* multiplier = 1 \* "
            r"10.5 = 10.5",
        ),
        (
            lambda: b.long_call(S, 100.0, E, multiplier=0, **MKT),
            r"long_call: `multiplier` must be > 0",
        ),
        (
            lambda: b.long_call(S, 100.0, E, vol=0.2, asof=ASOF, year_basis=360),
            r"long_call: `year_basis` must be 365",
        ),
    ],
)
def test_bad_arguments_name_the_builder(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_premiums_alone_are_enough_without_vol():
    s = b.bull_call_spread(S, 100.0, 105.0, E, premiums=[2.5, 0.9], asof=ASOF)
    assert s.vol is None
    assert s.max_profit == pytest.approx(340.0)


def test_premiums_must_be_a_sequence():
    with pytest.raises(TypeError, match=r"long_call: `premiums` must be a sequence"):
        b.long_call(S, 100.0, E, premiums=1.5, **MKT)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"long_call: `strike` must be a real number"):
        b.long_call(S, "100", E, **MKT)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- registry
def test_build_calls_the_named_builder():
    s = build(
        "Iron-Condor",
        spot=S,
        long_put=85.0,
        short_put=90.0,
        short_call=110.0,
        long_call=115.0,
        expiry=E,
        premiums=[0.4, 1.1, 1.0, 0.35],
        **MKT,
    )
    assert s == _make("iron_condor")


@pytest.mark.parametrize(
    ("name", "suggested"),
    [
        ("iron_condr", ["iron_condor", "reverse_iron_condor"]),
        ("butterfly", ["long_call_butterfly", "iron_butterfly", "broken_wing_butterfly"]),
        ("stradle", ["long_straddle", "short_straddle"]),
    ],
)
def test_build_unknown_name_lists_close_matches(name, suggested):
    with pytest.raises(ValueError, match=rf"unknown strategy '{name}'; did you mean") as exc:
        build(name)
    for s in suggested:
        assert repr(s) in str(exc.value)


def test_build_unknown_name_without_matches():
    with pytest.raises(ValueError, match=r"^unknown strategy 'zzz'; \(all names"):
        build("zzz")
    with pytest.raises(TypeError):
        build(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_docstrings_have_a_summary_and_numpydoc_sections(name):
    doc = inspect.getdoc(BUILDERS[name])
    assert doc
    summary, _, rest = doc.partition("\n\n")
    assert summary.endswith(".")
    assert "Parameters\n----------" in rest
    assert "Returns\n-------\nStrategy" in rest


def test_guide_lists_every_builder():
    guide = (Path(__file__).resolve().parents[2] / "docs" / "strategies.md").read_text()
    missing = [n for n in BUILDERS if f"`{n}`" not in guide]
    assert not missing


def test_builders_return_plain_strategies_of_legs():
    s = _make("seagull")
    assert isinstance(s, Strategy)
    assert all(isinstance(leg, Leg) for leg in s.legs)
